"""Stage 2, the static evaluator: JavaScript values, the interpreter over the ESTree of a config
(never running it), ``require``/``import`` of local modules, and YAML as values."""
