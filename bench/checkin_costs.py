#!/usr/bin/env python3
"""The cost table of a check-in: perf samples of the server, each given to the part of the check-in it was spent in.

Input: `perf script -F comm,tid,time,ip,sym,dso` of `perf record -g` on the server (bench/profile-checkin.sh makes it),
the number of check-ins the server counted in the profiled window and the server's CPU seconds in that window.

A sample belongs to the innermost frame on its stack that names a part (first pass); a stack that names none of the
specific parts goes to the innermost frame naming a general one (second pass): the database layer, the gRPC and HTTP/2
stack, the rest of LicenseHub's own code, the runtime. Output: a Markdown table, µs of server CPU per check-in for each
part, and the frames no rule named (to keep the rules honest).
"""
import argparse
import collections
import re
import sys

# Each frame belongs to a component, or is transparent (the runtime, the base library, libc, OpenSSL, the kernel):
# a sample belongs to the innermost frame of a component, so time in a hash, an allocation or a system call counts
# for the code that asked for it. Middleware and interceptors wrap the whole call; they count only for their own frames.
COMPONENTS = [
    ("signing (Ed25519 and the token's JSON)", r"Org\.BouncyCastle|LicenseHub\.Tokens\.|TokenIssuer::Issue|TokenIssuer::Sign|TokenSigner|LicenseClaims"),
    ("kept-token check (claims hash)", r"TokenIssuer::ClaimsHash|CanReuseToken|TokenIssuer::ForCheckIn|TokenIssuer\+<ForCheckIn"),
    ("credential and ticket check", r"InstallationSecret|CheckInTicket::(Hash|New|Matches)"),
    ("logging and telemetry", r"Microsoft\.Extensions\.Logging|OpenTelemetry|System\.Diagnostics\.(Metrics|Activity|DiagnosticSource|DiagnosticListener|W3C)|"
                              r"HostingApplicationDiagnostics|DiagnosticsLogger|RequestLogging|LicenseHubTelemetry|RefusedRequestLog|EventSource|"
                              r"Logging\.Console"),
    ("request validation (incl. unknown fields)", r"StrictRequestBinding|LicenseHub\.Server\.Validation|Validator::|AgentContract|CheckInTicket::Validate|"
                                                  r"UnreadableField|UnknownFieldSet"),
    ("database write (group commit, counts)", r"CheckInCommits|ModelRowCommand|UnitOfWork|PendingCheckIn|DailyCheckInCount|"
                                              r"Microsoft\.EntityFrameworkCore\.Update|SqliteTransaction|RelationalTransaction"),
    ("database read (the check-in query)", r"Microsoft\.EntityFrameworkCore\.Query|LoadCheckInSubject|CompiledQuery|QueryingEnumerable|"
                                           r"RelationalDataReader|Materializ|CheckInSubject|ShaperProcessing"),
    ("gRPC, HTTP/2 and protobuf", r"Grpc\.|Kestrel|Microsoft\.AspNetCore|System\.IO\.Pipelines|System\.Net\.|Google\.Protobuf|LicenseHub\.V1\.|"
                                  r"ErrorInterceptor|AuthInterceptor|AgentGrpcService"),
    ("licensing logic (rest of LicenseHub)", r"LicenseHub\."),
]
# The database layer below EF's query and update pipelines: which of the two asked is found further out, if at all.
DATABASE = re.compile(r"Microsoft\.EntityFrameworkCore|Microsoft\.Data\.Sqlite|SQLitePCL|libe_sqlite3|libsqlite3|Npgsql")
GENERAL = [
    ("database, other (context pool, connection, SQLite)", None),
    ("GC threads", None),
    ("runtime: idle worker threads spinning and waking", None),
    ("runtime: locks, futexes and native allocation", None),
    ("runtime (thread pool, async, other)", None),
    ("kernel, no user frame", None),
]
COMPILED = [(name, re.compile(p)) for name, p in COMPONENTS]
KERNEL = re.compile(r"kernel\.kallsyms|\[kernel|\[vdso\]")

# SQLite is built without frame pointers, so a sample inside it rarely shows its managed caller: its own functions
# say what it was doing. Parsing and planning happen for each statement prepared, executing and committing for each run.
SQLITE_NATIVE = re.compile(r"libe_sqlite3|libsqlite3")
SQLITE_PARTS = [
    ("SQLite: parse and plan a statement", re.compile(r"Parser|yy_|Walk|[wW]here|sqlite3ColumnIndex|sqlite3Prepare|sqlite3Select|"
                                                      r"sqlite3Expr|sqlite3Resolve|resolve|sqlite3Locate|sqlite3FindTable|findElementWithHash|"
                                                      r"sqlite3StrICmp|sqlite3GetToken|sqlite3Keyword|sqlite3VdbeAdd|sqlite3VdbeMake|"
                                                      r"sqlite3CodeVerify|sqlite3Src|sqlite3Index|sqlite3Finish|sqlite3Analysis|"
                                                      r"sqlite3Db(Malloc|Free|Realloc|StrDup|NNFree)|sqlite3_prepare|lookaside|"
                                                      r"sqlite3VdbeDelete|sqlite3VdbeClear|sqlite3VdbeFinalize|sqlite3_finalize|sqlite3Dequote|"
                                                      r"sqlite3Fix|sqlite3Authoriz|sqlite3AtoF|sqlite3ColumnsFrom|sqlite3Generate|tokenExpr|"
                                                      r"sqlite3VList")),
    ("SQLite: commit (WAL write and sync)", re.compile(r"(sqlite3Wal|wal)(?!k)[A-Z]|unixSync|unixWrite|fsync|fdatasync|pager_write|"
                                                      r"pagerStress|sqlite3PagerCommit|sqlite3BtreeCommit|syncJournal|sqlite3VdbeHalt")),
    ("SQLite: execute (B-tree, records)", re.compile(r".")),
]
LIBC_CALLS = [
    ("credential and ticket check", re.compile(r"libcrypto")),
    ("SQLite: commit (WAL write and sync)", re.compile(r"^(fsync|fdatasync|__libc_pwrite|pwrite|__pwrite)")),
    ("SQLite: execute (B-tree, records)", re.compile(r"^(__libc_pread|pread|__pread)")),
    ("gRPC, HTTP/2 and protobuf", re.compile(r"^(__send|send|__recv|recv|__libc_sendmsg|sendmsg|recvmsg|__libc_recvmsg|writev|readv|epoll_wait)")),
    ("runtime: locks, futexes and native allocation", re.compile(r"pthread_|futex|lll_lock|malloc|_int_free|free\b|cfree|realloc")),
]
THREADS = [
    ("JIT (tiered compilation)", re.compile(r"^\.NET Tiered")),
    ("GC threads", re.compile(r"^\.NET (Server GC|SVR GC|BGC|Background GC|GC)")),
]


def samples(lines):
    """(thread name, frames innermost first) for each sample."""
    frames, thread = [], None
    for line in lines:
        if not line.strip():
            if thread is not None:
                yield thread, frames
            frames, thread = [], None
        elif line[0] in " \t":
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
        else:
            if thread is not None:
                yield thread, frames
            # "comm tid time:": the thread name may hold spaces.
            thread, frames = re.sub(r"\s+\d+\s+[\d.]+:\s*$", "", line.rstrip("\n")), []
    if thread is not None:
        yield thread, frames


def classify(thread, frames):
    for name, rule in THREADS:
        if rule.search(thread):
            return name, None
    database = None
    for frame in frames:
        if DATABASE.search(frame) and not re.search(r"EntityFrameworkCore\.(Query|Update)", frame):
            database = database or frame
            continue
        for name, rule in COMPILED:
            if rule.search(frame):
                if database is not None and name not in ("database read (the check-in query)", "database write (group commit, counts)"):
                    break
                return name, None
        else:
            continue
        break
    user = [f for f in frames if not KERNEL.search(f)]
    if database is not None:
        if SQLITE_NATIVE.search(user[0]):
            for name, rule in SQLITE_PARTS:
                if rule.search(user[0]):
                    return name, user[0]
        return "database, other (context pool, connection, SQLite)", database
    if not user:
        return "kernel, no user frame", frames[0] if frames else "(no frames)"
    # libc is built without frame pointers too: a system call's caller is often lost, its name tells who made it.
    if any("LowLevelLifoSemaphore" in f or "sched_yield" in f for f in user[:3]):
        return "runtime: idle worker threads spinning and waking", user[0]
    for name, rule in LIBC_CALLS:
        if rule.search(user[0]):
            return name, user[0]
    return "runtime (thread pool, async, other)", user[0]


def short(frame):
    """A frame without its signature and file: Namespace.Type::Method, or the native function and library."""
    frame = re.sub(r"\+0x[0-9a-f]+", "", frame)
    managed = re.search(r"([\w.`+<>]+::[\w.`<>|]+)\(", frame)
    if managed:
        return managed.group(1)
    native = re.match(r"(\S+) \(.*?([^/]+)\)$", frame)
    return f"{native.group(1)} ({native.group(2)})" if native else frame


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("script", help="perf script output")
    parser.add_argument("--checkins", type=int, required=True, help="check-ins the server counted in the profiled window")
    parser.add_argument("--cpu-seconds", type=float, required=True, help="server CPU seconds (user + system) in the window")
    parser.add_argument("--wall-seconds", type=float, required=True, help="length of the window")
    args = parser.parse_args()
    if args.checkins <= 0:
        sys.exit("No check-in was counted in the profiled window: the load did not reach the server.")

    counts = collections.Counter()
    leftovers = collections.defaultdict(collections.Counter)
    with open(args.script, errors="replace") as f:
        for thread, frames in samples(f):
            part, frame = classify(thread, frames)
            counts[part] += 1
            if frame is not None:
                leftovers[part][short(frame)] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("perf recorded no sample of the server.")
    per_checkin_us = args.cpu_seconds / args.checkins * 1e6
    order = ([name for name, _ in COMPONENTS] + [name for name, _ in SQLITE_PARTS] + [name for name, _ in THREADS]
             + [name for name, _ in GENERAL if name != "GC threads"])

    print(f"{args.checkins:,} check-ins in {args.wall_seconds:.1f} s ({args.checkins / args.wall_seconds:,.0f}/s); "
          f"server CPU {args.cpu_seconds:.2f} s = **{per_checkin_us:.0f} µs per check-in**; {total:,} samples.")
    print()
    print("| part | share of server CPU | µs of CPU per check-in |")
    print("|---|---|---|")
    for name in order:
        if counts[name]:
            share = counts[name] / total
            print(f"| {name} | {share * 100:.1f} % | {share * per_checkin_us:.1f} |")
    print(f"| **all** | 100 % | **{per_checkin_us:.1f}** |")
    jit = counts["JIT (tiered compilation)"] / total
    if jit > 0.02:
        print(f"| all but the JIT (still compiling: a longer SETTLE gives the steady state) | {(1 - jit) * 100:.1f} % | {(1 - jit) * per_checkin_us:.1f} |")
    print()
    for name in order[len(COMPONENTS):]:
        if leftovers[name]:
            top = ", ".join(f"{frame} ({n})" for frame, n in leftovers[name].most_common(6))
            print(f"- {name}, innermost named frames: {top}")


if __name__ == "__main__":
    main()
