#!/usr/bin/env python3
"""Random `staleline run` command lines: flags, --set keys from `staleline params`, and values
mixed from valid and invalid ones, and now and then a --config file. Reports every command line
that ends on a signal (a crash), runs past the timeout (a hang), exits with a status other than
0, 1 or 2, or is refused (exit 2) with a message that names neither a key or flag of the command
line nor a file:line. Seeded: the same seed gives the same command lines.

    testbench/fuzz/cli_fuzz.py build/bin/staleline -n 300 --seed 1     (CI)
    testbench/fuzz/cli_fuzz.py build/bin/staleline -n 3000 --seed 1 -j 2    (the long run)

Exit status 0 when nothing was found, 1 otherwise (each finding printed with its command line).
"""
import argparse
import concurrent.futures
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile

WORKLOADS = ["copy", "blockio", "fill", "ring", "sgblock", "stream", "random", "nosuch"]
DRIVERS = ["dmac", "bug:missing-clean", "bug:no-bus-master", "nosuch"]
SHORT = ["--set", "workload.transfers=3", "--set", "workload.max_size=8k", "--set", "workload.pool_size=256k"]
# Valid values of workload.transfers and sizes can make a run long on purpose: every command
# line is bounded (a later --time-limit drawn below overrides it), so only a real hang (a run
# the limit and its watchdog do not end) reaches the timeout.
BOUND = ["--time-limit", "20"]


def params(binary):
    """(key, type, min, max, choices) from `staleline params --markdown`."""
    out = subprocess.run([binary, "params", "--markdown"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\| `([a-z_.]+)` \| (\w+) \| `([^`]*)` \| [^|]* \| ([^|]*) \|", line)
        if not m:
            continue
        key, typ, default, rng = m.group(1), m.group(2), m.group(3), m.group(4).strip()
        lo = hi = None
        choices = []
        r = re.match(r"(-?[0-9.e+]+) \.\. (-?[0-9.e+]+)", rng)
        if r:
            lo, hi = float(r.group(1)), float(r.group(2))
        c = re.match(r"`([^`]*)`", rng)
        if c:
            choices = c.group(1).split("|")
        rows.append((key, typ, default, lo, hi, choices))
    return rows


def value(rnd, typ, default, lo, hi, choices):
    junk = ["", "-1", "abc", "0x", "1e99", "010", "18446744073709551616", "nan", "1k2", " 4", "\u00e9", "true"]
    if rnd.random() < 0.3:
        return rnd.choice(junk)
    if typ == "bool":
        return rnd.choice(["true", "false", "1", "0", "yes", "maybe"])
    if typ == "enum":
        return rnd.choice(choices + ["bogus"])
    if typ == "string":
        return rnd.choice([default, "x", "dma_engine;scratch", "dma_engine,slot=9", "nosuch", ""])
    if lo is None:
        return default
    if typ == "number":
        return "%g" % rnd.choice([lo, hi, lo + (hi - lo) * rnd.random(), hi * 2, lo - 1])
    pick = rnd.choice([lo, hi, hi + 1, max(lo - 1, 0), lo + (hi - lo) * rnd.random() ** 8, 2 ** rnd.randint(0, 40)])
    v = int(pick)
    if typ == "size" and v and v % 1024 == 0 and rnd.random() < 0.5:
        return "%dk" % (v // 1024)
    return str(v)


def command(rnd, binary, rows, tmpdir, i):
    args = [binary, "run"] + SHORT + BOUND
    used = []
    for _ in range(rnd.randint(0, 4)):
        key, typ, default, lo, hi, choices = rnd.choice(rows)
        args += ["--set", "%s=%s" % (key, value(rnd, typ, default, lo, hi, choices))]
        used.append(key)
    r = rnd.random()
    if r < 0.15:
        args += ["--workload", rnd.choice(WORKLOADS)]
    elif r < 0.25:
        args += ["--driver", rnd.choice(DRIVERS)]
    elif r < 0.32:
        args += [rnd.choice(["--sim-limit", "--time-limit"]), rnd.choice(["1ms", "50us", "0", "-3", "2", "x", "0.5"])]
    elif r < 0.38:
        args += ["--format", rnd.choice(["gcc", "summary", "xml"])]
    elif r < 0.44:
        args += [rnd.choice(["--json", "--sarif"]), rnd.choice([os.path.join(tmpdir, "o%d" % i), "/nonexistent/x", tmpdir])]
    elif r < 0.50:
        args += ["--seed", rnd.choice(["7", "-1", "x", "99999999999999999999"])]
    elif r < 0.62:
        key, typ, default, lo, hi, choices = rnd.choice(rows)
        sect, _, name = key.rpartition(".")
        path = os.path.join(tmpdir, "c%d.toml" % i)
        body = rnd.choice([
            "[%s]\n%s = %s\n" % (sect, name, value(rnd, typ, default, lo, hi, choices)),
            "[%s]\n%s = \"%s\"\n" % (sect, name, value(rnd, typ, default, lo, hi, choices)),
            "[%s]\n%s = = 1\n" % (sect, name),
            "[%s]\n%s = 1\n%s = 2\n" % (sect, name, name),
            "%s = [1, 2]\n" % key,
            "[%s\n" % sect,
            "[nosuch]\nkey = 1\n",
        ])
        with open(path, "w") as f:
            f.write(body)
        args += ["--config", path]
        used.append(key)
    elif r < 0.66:
        args += ["--bogus-flag"]
    return args, used


def names_something(msg, args, used):
    """The message names a key or flag of the command line, or a file:line."""
    if re.search(r"[\w/.-]+:\d+", msg):
        return True
    words = set(used)
    for a in args:
        if a.startswith("--"):
            words.add(a)
        if "=" in a:
            words.add(a.split("=", 1)[0])
    for a in args[2:]:
        words.add(a)
    if "--seed" in args:
        words.add("sim.seed")
    return any(w and w in msg for w in words if len(w) > 1)


def judge(args, used, timeout):
    """Run one command line: (the counts it adds to, what is wrong or None, its standard error)."""
    try:
        p = subprocess.run(args, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return ["hangs"], "no exit after %g s" % timeout, ""
    err = p.stderr.decode("utf-8", "replace")
    kinds, what = [], None
    if p.returncode < 0:
        kinds.append("crashes")
        what = "signal %d" % -p.returncode
    elif p.returncode in (0, 1, 2):
        kinds.append("exit %d" % p.returncode)
        if p.returncode == 2 and not names_something(err, args, used):
            kinds.append("unclear messages")
            what = "message names neither a key nor a line"
    else:
        kinds.append("other exit")
        what = "exit %d" % p.returncode
    if re.search(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer", err):
        kinds.append("crashes")
        what = "sanitizer report"
    return kinds, what, err


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="command lines run at once (each is its own process)")
    o = ap.parse_args()
    rows = params(o.binary)
    rnd = random.Random(o.seed)
    counts = {"runs": 0, "exit 0": 0, "exit 1": 0, "exit 2": 0, "crashes": 0, "hangs": 0, "other exit": 0,
              "unclear messages": 0}
    bad = 0
    with tempfile.TemporaryDirectory(prefix="sl_cli_fuzz_") as tmpdir:
        # All command lines are drawn first, in order, so that the seed alone decides them.
        lines = [command(rnd, o.binary, rows, tmpdir, i) for i in range(o.n)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, o.jobs)) as pool:
            results = pool.map(lambda line: judge(line[0], line[1], o.timeout), lines)
            for i, ((args, _), (kinds, what, err)) in enumerate(zip(lines, results)):
                counts["runs"] += 1
                for k in kinds:
                    counts[k] += 1
                if what:
                    bad += 1
                    print("[%d] %s: %s\n    %s" % (i, what, " ".join(shlex.quote(a) for a in args),
                                                  err.strip().replace("\n", "\n    ")[:600]), flush=True)
                elif o.verbose:
                    print("[%d] ok: %s" % (i, " ".join(shlex.quote(a) for a in args)), flush=True)
    print("cli_fuzz: seed %d: " % o.seed + ", ".join("%s %d" % kv for kv in counts.items()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
