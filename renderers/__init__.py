"""The built-in renderers (registered through the formengine.renderers entry points)."""
