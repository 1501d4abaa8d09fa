"""What an operator's shell sees of `sluice` before any command runs:
`--version`, completion scripts generated from the command tree (the bash one
sourced into a real bash and asked to complete), and "did you mean" for a
mistyped subcommand or flag. No broker needed.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from broker import sluice_bin

TIMEOUT_S = 30


def sluice(*args, env=None):
    return subprocess.run([sluice_bin(), *args], capture_output=True, text=True,
                          timeout=TIMEOUT_S, env=env)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SLUICE_BOOTSTRAP", "SLUICE_CONFIG", "SLUICE_DATA_DIR", "SLUICE_ADMIN")}
    env.update(extra)
    return env


def bash_complete(words):
    """COMPREPLY of the generated bash completion for `words` (the last one is being typed)."""
    script = sluice("completion", "bash").stdout
    program = (script + "\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_sluice\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n"
               % (" ".join("'%s'" % w for w in words), len(words) - 1))
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
                       text=True, timeout=TIMEOUT_S)
    if r.returncode != 0:
        raise AssertionError("bash failed on the completion script:\n" + r.stderr)
    return [line for line in r.stdout.splitlines() if line]


def zsh_complete(words):
    """The names the generated zsh completion offers for `words` (the last one being typed).
    zsh's own _describe (which filters and displays) is replaced by one that prints what it was
    given, so this checks the script's walk of the command tree, not zsh's menu."""
    script = sluice("completion", "zsh").stdout
    program = ("autoload -U compinit; compinit -u -D\n" + script +
               "\n_describe() { local name=${@[-1]}; print -l -- \"${(@P)name}\"; }\n"
               "_files() { print '(files)'; }\n"
               "words=(%s); CURRENT=%d; PREFIX=%s; _sluice\n"
               % (" ".join("'%s'" % w for w in words), len(words), "'%s'" % words[-1]))
    r = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True,
                       timeout=TIMEOUT_S, env=clean_env(HOME=tempfile.gettempdir()))
    if r.returncode != 0:
        raise AssertionError("zsh failed on the completion script:\n" + r.stderr)
    return [line.split(":", 1)[0] for line in r.stdout.splitlines() if line]


class CliShellTest(unittest.TestCase):
    def test_version_names_the_project_version(self):
        r = sluice("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.strip(), r"^sluice \d+\.\d+\.\d+( \(git [0-9a-zA-Z._-]+\))?$")

    def test_bash_completes_subcommands_at_each_level(self):
        self.assertEqual(bash_complete(["sluice", "top"]), ["topics"])
        self.assertEqual(sorted(bash_complete(["sluice", "topics", "c"])),
                         ["consume", "create"])
        self.assertIn("reset-offsets", bash_complete(["sluice", "groups", ""]))

    def test_bash_completes_flags_of_the_command_typed_so_far(self):
        self.assertEqual(sorted(bash_complete(["sluice", "topics", "consume", "T", "--fo"])),
                         ["--follow", "--format"])
        # Flags of one command are not offered for another.
        self.assertEqual(bash_complete(["sluice", "ps", "--fo"]), [])
        self.assertIn("--data-dir", bash_complete(["sluice", "ps", "--"]))

    def test_zsh_script_holds_the_same_tree(self):
        script = sluice("completion", "zsh").stdout
        self.assertTrue(script.startswith("#compdef sluice"))
        self.assertIn("consume:", script)

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_offers_subcommands_and_flags_of_the_command_typed_so_far(self):
        self.assertIn("consume", zsh_complete(["sluice", "topics", ""]))
        self.assertIn("create", zsh_complete(["sluice", "topics", ""]))
        self.assertEqual(sorted(w for w in zsh_complete(["sluice", "topics", "consume", "T", "--fo"])
                                if w.startswith("--fo")), ["--follow", "--format"])
        self.assertEqual(zsh_complete(["sluice", "topics", "describe", "x"]), ["(files)"])

    def test_unknown_shell_is_refused(self):
        self.assertNotEqual(sluice("completion", "fish").returncode, 0)

    def test_a_mistyped_subcommand_gets_a_suggestion(self):
        r = sluice("topcs", "list")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("did you mean 'topics'?", r.stderr)
        self.assertNotIn("A subcommand is required", r.stderr, "the suggestion replaces CLI11's message")
        r = sluice("groups", "lsit")
        self.assertIn("did you mean 'list'?", r.stderr)

    def test_a_mistyped_flag_gets_a_suggestion(self):
        r = sluice("ps", "--dat-dir", "x")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("did you mean '--data-dir'?", r.stderr)

    def test_nothing_is_suggested_for_a_word_far_from_every_name(self):
        r = sluice("qqqqqqqqqq")
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("did you mean", r.stderr)


    def test_data_dir_comes_from_flag_then_env_then_profile(self):
        # `sluice ps` names the data dir it looked in when nothing runs there.
        with tempfile.TemporaryDirectory() as home:
            profile = os.path.join(home, "p.yaml")
            with open(profile, "w") as f:
                f.write("data_dir: /from/profile\n")
            from_profile = sluice("ps", env=clean_env(SLUICE_CONFIG=profile))
            self.assertNotEqual(from_profile.returncode, 0)
            self.assertIn("/from/profile", from_profile.stderr)
            from_env = sluice("ps", env=clean_env(SLUICE_CONFIG=profile, SLUICE_DATA_DIR="/from/env"))
            self.assertIn("/from/env", from_env.stderr)
            from_flag = sluice("ps", "--data-dir", "/from/flag",
                               env=clean_env(SLUICE_CONFIG=profile, SLUICE_DATA_DIR="/from/env"))
            self.assertIn("/from/flag", from_flag.stderr)
            # status reaches the configured data dir when --admin is not given.
            status = sluice("status", env=clean_env(SLUICE_CONFIG=profile))
            self.assertNotEqual(status.returncode, 0)
            self.assertIn("/from/profile", status.stderr)
            # The help shows the default in force.
            self.assertIn("/from/profile", sluice("ps", "--help", env=clean_env(SLUICE_CONFIG=profile)).stdout)

    def test_a_broken_or_missing_named_profile_stops_every_command(self):
        with tempfile.TemporaryDirectory() as home:
            missing = os.path.join(home, "nope.yaml")
            r = sluice("--version", env=clean_env(SLUICE_CONFIG=missing))
            self.assertEqual(r.returncode, 2)
            self.assertIn(missing, r.stderr)
            self.assertIn("SLUICE_CONFIG", r.stderr)


if __name__ == "__main__":
    unittest.main()
