#!/usr/bin/env python3
"""
Stands in for what Windows OpenSSH does with a command: `cmd.exe /c <command line>`.

sshd runs this as its ForceCommand, with the client's command line in SSH_ORIGINAL_COMMAND.
It does the little of cmd.exe the provider's command lines need, and refuses the rest, so a
command line that would mean something else to cmd.exe fails here instead of passing:
- %NAME% is replaced by the variable's value when it is defined (cmd.exe leaves it otherwise);
- the line is split into arguments at spaces and tabs, double quotes grouping (CreateProcess /
  CommandLineToArgvW without its backslash rules: the provider's lines hold no quotes);
- the program is found by its last path component in this shim's bin folder (the drive letter
  and folders of the Windows path are not mapped: only `powershell.exe` exists there);
- cmd.exe's operators (& | < > ^) and quotes are refused: cmd.exe would act on them.
"""
import os
import re
import sys

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin")

def fail(message):
    sys.stderr.write("cmd-shim: " + message + "\r\n")
    sys.exit(1)  # cmd.exe says 9009; a Linux exit status holds 8 bits

line = os.environ.get("SSH_ORIGINAL_COMMAND", "")
if line.strip() == "":
    fail("no command (an interactive cmd.exe session is not emulated)")
os.environ.setdefault("SystemRoot", "C:\\Windows")
os.environ.setdefault("windir", "C:\\Windows")
line = re.sub(r"%([A-Za-z_][A-Za-z0-9_]*)%", lambda m: os.environ.get(m.group(1), m.group(0)), line)
if re.search(r'[&|<>^"]', line):
    fail("the command line holds a character cmd.exe would act on (& | < > ^ or a quote); this stand-in does not emulate that")
args = line.split()
program = args[0].replace("/", "\\").split("\\")[-1].lower()
path = os.path.join(BIN, program)
if not os.path.isfile(path):
    fail("'" + args[0] + "' is not recognized as an internal or external command, operable program or batch file.")
os.execv(path, [path] + args[1:])
