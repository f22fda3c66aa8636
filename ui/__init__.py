"""The web chat: ``qa serve`` (Gradio), its rendering and the per-session documents."""
