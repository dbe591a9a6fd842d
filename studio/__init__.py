"""The ConvStudio editor window (PySide6): canvas, palette, inspector, analysis and training
panels."""
