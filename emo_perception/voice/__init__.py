"""Voice stages (ROS-free): capture, voice activity, anonymisation (WORLD, McAdams), prosody, ASR.

``VoicePipeline`` (pipeline.py) strings them together for streaming use; ``process_audio``
(offline.py) runs them over a whole file. Heavy dependencies (onnxruntime, faster-whisper,
sounddevice) are imported only by the stage that needs them.
"""
