"""``portlint-lsp``: start the language server, or say in one line how to get it."""
import sys


def main() -> None:
    try:
        from portlint.integrations.lsp import main as serve
    except ImportError as exc:
        sys.stderr.write(f"portlint-lsp: the language server needs pygls 2 ({exc}); "
                         "install it with: pip install 'portlint[lsp]'\n")
        sys.exit(2)
    serve()


if __name__ == "__main__":
    main()
