"""Learned models (PyTorch): TTT-Linear, AU-TTT, skeleton micro-gestures, visual-text head.

Build models with :func:`emo_perception.models.registry.create_model`; see docs/models.md.
"""
