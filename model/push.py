"""Push a saved generator folder to the Hugging Face Hub.

    python -m model.push weights OWNER/NAME [--private] [--revision BRANCH] [--message MSG]

The token comes from $HF_TOKEN or the saved `hf auth login`; it is never printed.
"""

import argparse
import sys

from .publish import HubPushError, push_folder


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", help="a folder written by save_pretrained (e.g. weights)")
    p.add_argument("repo_id", help="OWNER/NAME")
    p.add_argument("--private", action="store_true", help="create the repo as private")
    p.add_argument("--revision", help="branch to commit to (created if missing; default main)")
    p.add_argument("--message", help="commit message")
    args = p.parse_args(argv)
    try:
        info = push_folder(args.folder, args.repo_id, private=args.private, revision=args.revision,
                           commit_message=args.message)
    except HubPushError as e:
        sys.exit(f"error: {e}")
    print(f"pushed {args.folder} to {args.repo_id}: commit {info.oid} ({info.commit_url})")


if __name__ == "__main__":
    main()
