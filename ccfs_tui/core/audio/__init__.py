"""Audio of the recordings, without Textual: G.711 decoding, WAV files, waveforms."""
