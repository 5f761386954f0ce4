"""File kinds by extension, listed once (no imports: the launcher reads them too)."""

# Treated as audio: `process` runs the voice chain on them and the launcher hands them to
# mic_node (anything but WAV is decoded through ffmpeg).
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus")
