"""The key footer follows the keys that can act, and is not remade when they stay the same
(each filter answer moves the cursor and refreshes the bindings: remaking every key then
held the main thread while the search ran; see ui/widgets/footer.py)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey
from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.ui.widgets.tree import Leaf


def labels(app) -> list[str]:
    return [key.description for key in app.main_screen.query(FooterKey)]


async def test_the_footer_follows_the_focus_and_keeps_its_keys_otherwise(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await select_first_recording(pilot)
        tree = app.main_screen.browser.tree_widget
        await pilot.pause(0.1)
        on_tree = labels(app)
        assert "Request" in on_tree
        keys = list(app.main_screen.query(FooterKey))

        await pilot.press("j")  # the next recording of the same agent: the same keys
        node = tree.cursor_node
        assert node is not None and isinstance(node.data, Leaf)
        await wait_for(pilot, lambda: app.main_screen.selected_row == node.data.row_id)
        await pilot.pause(0.1)
        assert list(app.main_screen.query(FooterKey)) == keys  # the very same widgets
        assert labels(app) == on_tree

        await pilot.press("slash")  # the filter's keys
        await wait_for(pilot, lambda: labels(app) != on_tree)
        assert "Request" not in labels(app)
        await pilot.press("escape")  # back on the tree: its keys again
        await wait_for(pilot, lambda: labels(app) == on_tree)
