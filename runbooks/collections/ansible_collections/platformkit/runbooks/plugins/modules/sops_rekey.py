#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""Re-key one environment's SOPS secrets file through the platform's secrets wrapper (platformkit.secrets).

Why a module of our own, and not the `platform secrets updatekeys/rotate` CLI in a command task:
community.sops only encrypts files and loads variables (no updatekeys, no rotate), and a command
task can only be skipped in check mode. This module calls the same wrapper as the CLI
(``platformkit.secrets.Sops``: the real sops binary, values only in memory, one fixed message per
failure that never contains a value), so check mode can say exactly what would change by comparing
the file's sops metadata with the creation rule of ``.sops.yaml`` - without calling sops or
writing anything.

States (each idempotent):

- ``inspect``: read-only report (recipients now and as prescribed, last re-key).
- ``recipients``: ``sops updatekeys`` when the file's recipients differ from the rule's.
- ``rotated``: ``sops rotate`` (a new data key, every value re-encrypted), unless the file already
  records a re-key with this label.
- ``marked``: records the re-key in the file itself, under ``last_rekey_unencrypted`` (a clear
  value, covered by the file's MAC): ``<label> <time>``. It travels with the data key: reverting the
  file in git reverts the record too, so a re-run rotates again exactly when it must.
- ``verified``: decrypts in memory (values counted, never returned) and checks recipients and record.

``.sops.yaml`` must be what the environment model prescribes (``platform secrets sync-rules``),
or every state refuses: re-keying to a stale rule would re-encrypt to the wrong people.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: sops_rekey
short_description: Re-encrypt an environment's SOPS secrets file to its prescribed recipients and rotate its data key
description:
  - Works on C(environments/secrets/<environment>.enc.yaml) of the repository O(root), through the platform's secrets
    wrapper (C(platformkit.secrets)) and the real sops binary. Keys come from sops' usual sources (AWS credentials for
    the KMS key, C(SOPS_AGE_KEY_FILE)).
  - Refuses when C(.sops.yaml) is not what the environment model prescribes.
  - Never returns or logs a decrypted value. Supports check mode and diff mode.
options:
  root:
    description: The repository root (holding C(.sops.yaml) and C(environments/)).
    required: true
    type: path
  environment:
    description: Environment name.
    required: true
    type: str
  state:
    description:
      - C(inspect) only reports; C(recipients) runs updatekeys when needed; C(rotated) rotates the data key unless
        the file records a re-key with O(label); C(marked) records the re-key; C(verified) decrypts and checks.
    type: str
    choices: [inspect, recipients, rotated, marked, verified]
    default: inspect
  label:
    description: Name of this re-key (required for C(rotated), C(marked) and C(verified)).
    type: str
author:
  - platform team
"""

EXAMPLES = r"""
- name: Re-encrypt to the recipients .sops.yaml names
  platformkit.runbooks.sops_rekey:
    root: /src/platform
    environment: dev
    state: recipients
"""

RETURN = r"""
file:
  description: The secrets file, relative to the repository root.
  returned: always
  type: str
recipients:
  description: The file's recipients (one line each) after the call (in check mode, as now).
  returned: always
  type: list
  elements: str
prescribed:
  description: The recipients the creation rule of .sops.yaml prescribes.
  returned: always
  type: list
  elements: str
to_add:
  description: Prescribed recipients the file is not encrypted to (before the call).
  returned: always
  type: list
  elements: str
to_remove:
  description: Recipients of the file that are no longer prescribed (before the call).
  returned: always
  type: list
  elements: str
last_rekey:
  description: The re-key recorded in the file (C(<label> <time>)), or null.
  returned: always
  type: str
lastmodified:
  description: sops' lastmodified time of the file.
  returned: always
  type: str
sha256:
  description: SHA-256 of the file after the call.
  returned: always
  type: str
values:
  description: Number of encrypted values that decrypted (C(verified) only).
  returned: when state is verified
  type: int
"""

MARKER_KEY = "last_rekey_unencrypted"
"""Where the re-key is recorded: the ``_unencrypted`` suffix keeps it in clear, the MAC still covers it."""


class Failure(Exception):
    """A one-line reason to stop."""


def marker_label(value):
    return value.split(" ", 1)[0] if isinstance(value, str) and value else None


class SecretsFile:
    """The environment's secrets file, its rule and the wrapper, loaded through platformkit."""

    def __init__(self, root, environment):
        try:
            from platformkit.environment import load_all
            from platformkit.environment.loader import display_path
            from platformkit.errors import PlatformError
            from platformkit.secrets import SOPS_CONFIG_FILE, EncryptedFile, Sops, rules_are_fresh, secrets_file
            from platformkit.secrets.rules import load_rules, rule_for
        except ImportError as exc:
            raise Failure(
                f"the platformkit package is not importable by {sys.executable} ({exc}); run the runbook with "
                "'platform runbook run'"
            ) from None
        self.errors = (PlatformError,)
        self.read_file = EncryptedFile.read
        try:
            envs = load_all(root)
            if environment not in envs:
                raise Failure(f"environment '{environment}' is not defined in {root}/environments")
            if not rules_are_fresh(root, envs):
                raise Failure(
                    f"{SOPS_CONFIG_FILE} is stale: it does not name the recipients the environment model prescribes; "
                    "run 'platform secrets sync-rules', review and commit it, then run this runbook again"
                )
            self.path = secrets_file(root, environment)
            self.shown = display_path(self.path, root)
            rule = rule_for(load_rules(root / SOPS_CONFIG_FILE), Path(self.shown).as_posix())
            if rule is None:
                raise Failure(f"no creation rule of {SOPS_CONFIG_FILE} matches {self.shown}")
            self.rule = rule
            self.sops = Sops.locate(config=root / SOPS_CONFIG_FILE)
        except PlatformError as exc:
            raise Failure(message(exc)) from None

    def read(self):
        try:
            encrypted = self.read_file(self.path, shown=self.shown)
            encrypted.require_mac()
        except self.errors as exc:
            raise Failure(message(exc)) from None
        return encrypted

    def report(self):
        encrypted = self.read()
        have = encrypted.metadata.recipients
        want = self.rule.recipients
        tree = encrypted.tree if isinstance(encrypted.tree, dict) else {}
        return {
            "file": self.shown,
            "recipients": have.describe(),
            "prescribed": want.describe(),
            "to_add": sorted(set(want.describe()) - set(have.describe())),
            "to_remove": sorted(set(have.describe()) - set(want.describe())),
            "recipients_match": have == want,
            "last_rekey": tree.get(MARKER_KEY),
            "lastmodified": encrypted.metadata.lastmodified,
            "sha256": hashlib.sha256(self.path.read_bytes()).hexdigest(),
        }

    def call(self, action, *args):
        try:
            return action(self.path, *args, shown=self.shown)
        except self.errors as exc:
            raise Failure(message(exc)) from None


def message(exc):
    text = getattr(exc, "message", None) or str(exc)
    hint = getattr(exc, "hint", None)
    return f"{text} (hint: {hint})" if hint else text


def run(module):
    params = module.params
    state = params["state"]
    label = params["label"]
    if state in ("rotated", "marked", "verified") and not label:
        raise Failure(f"state={state} needs a label")
    secrets = SecretsFile(Path(params["root"]), params["environment"])
    before = secrets.report()
    result = dict(changed=False, **before)
    result.pop("recipients_match")

    if state == "inspect":
        return result
    if state == "verified":
        document = secrets.call(secrets.sops.decrypt)
        count = len(document.encrypted_paths)
        del document
        if not before["recipients_match"]:
            raise Failure(
                f"{before['file']} is encrypted to {before['recipients']}, not to what .sops.yaml prescribes "
                f"({before['prescribed']})"
            )
        if marker_label(before["last_rekey"]) != label:
            raise Failure(f"{before['file']} records the re-key {before['last_rekey']!r}, not one labelled {label!r}")
        result["values"] = count
        return result

    if state == "recipients":
        if before["recipients_match"]:
            return result
        diff = {"before": "\n".join(before["recipients"]) + "\n", "after": "\n".join(before["prescribed"]) + "\n"}
        action = (secrets.sops.updatekeys,)
    elif state == "rotated":
        if marker_label(before["last_rekey"]) == label:
            return result
        diff = {
            "before": f"data key: the one in use since {before['lastmodified'] or 'creation'} (last re-key: "
            f"{before['last_rekey'] or 'none recorded'})\n",
            "after": f"data key: a new one (re-key {label}); every value re-encrypted, values unchanged\n",
        }
        action = (secrets.sops.rotate,)
    else:  # marked
        if marker_label(before["last_rekey"]) == label:
            return result
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        diff = {"before": f"{MARKER_KEY}: {before['last_rekey']}\n", "after": f"{MARKER_KEY}: {label} {stamp}\n"}
        from platformkit.secrets import parse_key_path

        action = (secrets.sops.set, parse_key_path(MARKER_KEY), f"{label} {stamp}")
    diff.update(before_header=before["file"], after_header=before["file"])
    result.update(changed=True, diff=diff)
    if module.check_mode:
        return result
    secrets.call(*action)
    after = secrets.report()
    if state == "recipients" and not after["recipients_match"]:
        raise Failure(f"sops updatekeys left {after['file']} encrypted to {after['recipients']}")
    after.pop("recipients_match")
    result.update(after, to_add=before["to_add"], to_remove=before["to_remove"])
    return result


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "required": True},
            "environment": {"type": "str", "required": True},
            "state": {
                "type": "str",
                "choices": ["inspect", "recipients", "rotated", "marked", "verified"],
                "default": "inspect",
            },
            "label": {"type": "str"},
        },
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except Failure as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
