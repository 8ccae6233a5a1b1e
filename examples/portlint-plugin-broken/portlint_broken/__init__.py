"""Importing this plugin fails on purpose: portlint must warn and carry on."""
raise ImportError("this plugin is broken on purpose")
