"""ROS-free reasoning stage: evidence window -> grounded emotion result.

Backends: ``knowledge`` (default, rule-based), ``transformers`` (local GGUF model) and
``openai`` (any OpenAI-compatible server). Every result passes the hallucination guard;
:class:`ReasoningRunner` runs it asynchronously for the node.
"""

from emo_perception.reasoning.result import (
    Cue, Flag, ReasoningConfig, ReasoningResult,
)

__all__ = ["Cue", "Flag", "ReasoningConfig", "ReasoningResult"]
