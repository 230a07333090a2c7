#!/bin/bash
# docs_examples.sh - the documentation is tested.
#
# 1. Every ```console block of docs/*.md is run: per file, in order, in a
#    fresh scratch directory that holds the sample data (data/, tests/,
#    templates/ of the source tree) with a fresh $LOADREP_DB and `loadrep` on
#    PATH. In a block, a line "$ CMD" (continued by lines while it ends in
#    "\") is run with bash; the lines up to the next "$ " are the expected
#    standard output followed by standard error, compared line by line with
#    trailing blanks ignored. A line "..." matches any number of lines,
#    "..." inside a line any text; "[exit N]" after the output is the
#    expected exit status (0 when absent). A block after a line
#    "<!-- requires: TOOL -->" is skipped when TOOL is not installed.
# 2. Every option written after `loadrep COMMAND` in the docs (code spans,
#    code blocks, YAML) exists in `loadrep COMMAND --help`; docs/usage.md
#    shows every command.
#    Every relative link of docs/*.md leads to an existing file and heading.
# 3. The man page docs/loadrep.1 names every command and every option of
#    every command's --help, names no option that no command has, has the
#    usual sections, and renders without warnings (groff, when installed).
# 4. `cmake --install` of the build under test installs the man page.
#
# DOCS_ONLY=usage.md (a file name) runs one file's examples, for editing.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
  failt "python3 is needed to test the documentation"
  finish
  exit
fi

python3 - "$LOADREP" "$LOADREP_SRC" "$WORK" <<'PY' && pass || failt "documentation examples and options"
import difflib, os, re, shutil, subprocess, sys

binary, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
docs_dir = os.path.join(src, "docs")
only = os.environ.get("DOCS_ONLY")
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg, file=sys.stderr)


def run(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode("utf-8", "replace")


# ------------------------------------------------------------ the console blocks
def parse_blocks(path):
    """[(line number, requires, [(cmd, [expected lines], exit)])]"""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, i, requires = [], 0, None
    while i < len(lines):
        m = re.match(r"^<!--\s*requires:\s*(\S+)\s*-->\s*$", lines[i])
        if m:
            requires = m.group(1)
            i += 1
            continue
        fm = re.match(r"^( *)```console\s*$", lines[i])
        if fm:
            indent = len(fm.group(1))
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].lstrip(" ").startswith("```"):
                line = lines[i]
                body.append(line[indent:] if line[:indent].strip() == "" else line)
                i += 1
            steps, k = [], 0
            while k < len(body):
                if not body[k].startswith("$ "):
                    fail("%s:%d: console block output before any '$ ' command" % (path, start + k + 1))
                    k += 1
                    continue
                cmd = body[k][2:]
                while cmd.endswith("\\") and k + 1 < len(body):
                    k += 1
                    cmd += "\n" + body[k]
                k += 1
                exp = []
                while k < len(body) and not body[k].startswith("$ "):
                    exp.append(body[k])
                    k += 1
                want = 0
                while exp and exp[-1].strip() == "":
                    exp.pop()
                if exp and re.match(r"^\[exit \d+\]$", exp[-1]):
                    want = int(exp.pop()[6:-1])
                steps.append((start + 1, cmd, exp, want))
            blocks.append((start, requires, steps))
        elif lines[i].strip():
            requires = None
        i += 1
    return blocks


def line_re(p):
    if "..." not in p:
        return None
    return re.compile(".*".join(re.escape(x) for x in p.split("...")) + r"\Z", re.S)


def matches(pats, out):
    """pats: expected lines ('...' alone = any lines); out: actual lines."""
    regs = [None if p == "..." else (line_re(p), p) for p in pats]
    memo = {}

    def m(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(regs):
            r = j == len(out)
        elif regs[i] is None:
            r = any(m(i + 1, k) for k in range(j, len(out) + 1))
        elif j < len(out):
            rx, p = regs[i]
            ok = rx.match(out[j]) is not None if rx else out[j] == p
            r = ok and m(i + 1, j + 1)
        else:
            r = False
        memo[key] = r
        return r

    sys.setrecursionlimit(100000)
    return m(0, 0)


def scratch(name):
    d = os.path.join(work, "docs-" + name)
    os.makedirs(os.path.join(d, "bin"))
    os.symlink(binary, os.path.join(d, "bin", "loadrep"))
    for sub in ("data", "tests", "templates"):
        os.symlink(os.path.join(src, sub), os.path.join(d, sub))
    env = dict(os.environ)
    env["PATH"] = os.path.join(d, "bin") + os.pathsep + env.get("PATH", "")
    env["LOADREP_DB"] = os.path.join(d, "loadrep.db")
    env["TZ"] = "UTC"
    env["LC_ALL"] = "C"
    for var in ("NO_COLOR", "LOADREP", "LOADREP_SRC", "LOADREP_BUILD"):
        env.pop(var, None)
    env.pop("LOADREP_GNUPLOT", None)
    return d, env


md_files = sorted(f for f in os.listdir(docs_dir) if f.endswith(".md"))
n_steps = 0
for f in md_files:
    if only and f != only:
        continue
    path = os.path.join(docs_dir, f)
    blocks = parse_blocks(path)
    if not blocks:
        continue
    d, env = scratch(f[:-3])
    for start, requires, steps in blocks:
        if requires and not shutil.which(requires):
            print("skip: docs/%s:%d needs %s" % (f, start, requires))
            continue
        for lineno, cmd, exp, want in steps:
            n_steps += 1
            p = subprocess.run(["bash", "-c", cmd], cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            text = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
            out = [x.rstrip() for x in text.split("\n")]
            while out and out[-1] == "":
                out.pop()
            pats = [x.rstrip() for x in exp]
            where = "docs/%s:%d: $ %s" % (f, lineno, cmd.split("\n")[0])
            if p.returncode != want:
                fail("%s: exit %d, the doc says %d" % (where, p.returncode, want))
                sys.stderr.write("".join("  | " + x + "\n" for x in out[:30]))
            if not matches(pats, out):
                fail("%s: the output differs from the doc" % where)
                sys.stderr.writelines(
                    "  " + x + "\n" for x in list(difflib.unified_diff(pats, out, "doc", "actual", lineterm=""))[:60])
print("%d documented commands run" % n_steps)

# ------------------------------------------------------------ commands and options
top = run([binary, "--help"])
commands = re.findall(r"^  ([a-z]+)\s{2,}\S", top, re.M)
if len(commands) < 5:
    fail("cannot read the command list from 'loadrep --help'")
opt_re = re.compile(r"(?<![\w=/.-])(--[a-zA-Z][\w-]*|-[a-zA-Z](?![\w-]))")
global_opts = {"--db", "-q", "--quiet", "-h", "--help", "--version"}
helps = {}
for c in commands:
    h = run([binary, c, "--help"])
    if not h.startswith("usage: loadrep " + c):
        fail("'loadrep %s --help' does not start with its usage" % c)
    helps[c] = set(opt_re.findall(h)) | {"--db", "-h", "--help"}  # -q, --version only before the command

cmd_alt = "|".join(sorted(commands, key=len, reverse=True))
use_re = re.compile(r"\bloadrep((?:\s+(?:--db[= ]\S+|-q|--quiet))*)\s+(%s)\b" % cmd_alt)
cut_re = re.compile(r"`|\s\|\s|;|&&|\s--(?:\s|$)|\s#|\bloadrep\s")


def drop_console_output(text):
    """Keeps the '$ ' lines (and their continuations) of console blocks, not the
    output shown, nor commands shown failing with a usage error ([exit 64])."""
    keep, step, inblock, cont, exit64 = [], [], False, False, False

    def flush():
        if not exit64:
            keep.extend(step)
        del step[:]

    for line in text.split("\n"):
        bare = line.lstrip(" ")
        if re.match(r"^ *```console\s*$", line):
            inblock, cont, exit64 = True, False, False
            keep.append(line)
        elif inblock and bare.startswith("```"):
            flush()
            inblock = False
            keep.append(line)
        elif inblock:
            if bare.startswith("$ ") and not cont:
                flush()
                exit64 = False
                step.append(line)
                cont = line.endswith("\\")
            elif cont:
                step.append(line)
                cont = line.endswith("\\")
            elif bare.strip() == "[exit 64]":
                exit64 = True
        else:
            keep.append(line)
    return "\n".join(keep)


def check_options(name, text):
    text = drop_console_output(text)
    # join continued lines
    text = re.sub(r"\\\n", " ", text)
    for line in text.split("\n"):
        for m in use_re.finditer(line):
            rest = line[m.end():]
            c = cut_re.search(rest)
            seg = rest[: c.start()] if c else rest
            for o in opt_re.findall(seg):
                if o not in helps[m.group(2)]:
                    fail("%s: 'loadrep %s ... %s': no such option in 'loadrep %s --help'" % (name, m.group(2), o,
                                                                                            m.group(2)))


for f in md_files:
    check_options("docs/" + f, open(os.path.join(docs_dir, f), encoding="utf-8").read())
usage = open(os.path.join(docs_dir, "usage.md"), encoding="utf-8").read()
for c in commands:
    if not re.search(r"^## %s\b" % c, usage, re.M):
        fail("docs/usage.md has no section '## %s'" % c)
for extra in ("README.md", "tests/load/README.md"):
    p = os.path.join(src, extra)
    if os.path.exists(p):
        check_options(extra, open(p, encoding="utf-8").read())

# ------------------------------------------------------------ links between the pages
def slugs(path):
    out = set()
    for h in re.findall(r"(?m)^#{1,6} (.+?)\s*$", open(path, encoding="utf-8").read()):
        h = re.sub(r"[^\w\- ]", "", h.replace("`", "").lower())
        out.add(h.replace(" ", "-"))
    return out


for f in md_files:
    path = os.path.join(docs_dir, f)
    text = re.sub(r"(?s)```.*?```", "", open(path, encoding="utf-8").read())
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+://", target):
            continue
        file_part, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(docs_dir, file_part)) if file_part else path
        if not os.path.exists(dest):
            fail("docs/%s: link to a missing file: %s" % (f, target))
        elif anchor and dest.endswith(".md") and anchor not in slugs(dest):
            fail("docs/%s: link to a missing heading: %s" % (f, target))

# ------------------------------------------------------------ the man page
man_path = os.path.join(docs_dir, "loadrep.1")
roff = open(man_path, encoding="utf-8").read()
plain = re.sub(r"\\f[BIRP]|\\f\(..|\\&|\\\(em|\\\(en", "", roff).replace("\\-", "-").replace("\\e", "\\")
for c in commands:
    if not re.search(r"(?m)^\.(?:SS|TP|B|IP)?.*\b%s\b" % c, plain):
        fail("docs/loadrep.1 does not mention the command '%s'" % c)
    for o in sorted(helps[c] - global_opts):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), plain):
            fail("docs/loadrep.1 does not mention '%s' of 'loadrep %s'" % (o, c))
known = set().union(*helps.values()) | global_opts
for o in sorted(set(opt_re.findall(plain))):
    if o not in known and o not in ("-man", "-l", "-Tutf8", "-o", "-e", "-u") and not o.startswith("--out"):
        fail("docs/loadrep.1 mentions '%s', which no loadrep command has" % o)
for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "FILES", "ENVIRONMENT", "EXIT STATUS",
            "EXAMPLES"):
    if not re.search(r'(?m)^\.SH "?%s"?\s*$' % sec, roff):
        fail("docs/loadrep.1 has no section %s" % sec)
for var in ("LOADREP_DB", "LOADREP_GNUPLOT", "NO_COLOR", "SOURCE_DATE_EPOCH"):
    if var not in plain:
        fail("docs/loadrep.1 does not describe %s" % var)
for code in ("0", "1", "64", "65", "66", "69", "70", "73", "74"):
    if not re.search(r"(?m)^\.TP\n\.B %s\s*$" % code, roff):
        fail("docs/loadrep.1: EXIT STATUS does not list %s" % code)
if shutil.which("groff"):
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", man_path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if g.returncode != 0 or g.stderr.strip():
        fail("groff warns about docs/loadrep.1:\n" + g.stderr.decode("utf-8", "replace"))

sys.exit(1 if failures else 0)
PY

# 4. `cmake --install` puts the man page where man finds it.
if [ -n "${LOADREP_BUILD:-}" ] && [ -f "$LOADREP_BUILD/cmake_install.cmake" ] && command -v cmake >/dev/null; then
  expect_exit 0 cmake --install "$LOADREP_BUILD" --prefix "$WORK/inst"
  if ls "$WORK"/inst/share/man/man1/loadrep.1* >/dev/null 2>&1; then pass; else failt "cmake --install did not install loadrep.1"; fi
fi

finish
