#!/usr/bin/env python3
"""Time from saving a method file to the reload event of `tietopankki serve`.

Usage: serve-latency.py SITE_ROOT FILE [runs] [body|summary|template]. Starts the release
binary's serve on a free port, listens to /__tietopankki/events, appends a line to FILE, a
method (or, with `summary`, rewrites its summary; with `template`, FILE is a template of the
site's theme and gets a comment in its content block; restoring it after),
and prints each latency and the median in milliseconds: to the reload event (the page is new),
and to the search index of the edit being served (/__tietopankki/status answers)."""

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
site, method = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
mode = sys.argv[4] if len(sys.argv) > 4 else "body"
binary = os.path.join(ROOT, "target", "release", "tietopankki")
proc = subprocess.Popen([binary, "serve", "--port", "0", "--root", site], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    line = proc.stdout.readline()
    host, port = line.split("http://")[1].split("/")[0].split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /__tietopankki/events HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(120)
    buf = b""
    while b": connected" not in buf:
        buf += sock.recv(4096)
    original = open(method, encoding="utf-8").read()
    times, search = [], []
    status = f"http://{host}:{port}/__tietopankki/status"
    for i in range(runs):
        time.sleep(0.5)
        urllib.request.urlopen(status, timeout=300).read()
        buf = b""
        start = time.perf_counter()
        with open(method, "w", encoding="utf-8") as f:
            if mode == "template":
                f.write(original.replace("{% block content %}", f"{{% block content %}}<!-- {i} -->", 1))
            elif mode == "summary":
                f.write(re.sub(r"(?m)^summary: .*$", f"summary: Muokattu tiivistelmä {i}.", original, count=1))
            else:
                f.write(original + f"\nMuokkaus {i}.\n")
        while b"event: reload" not in buf:
            buf += sock.recv(4096)
        times.append((time.perf_counter() - start) * 1000)
        urllib.request.urlopen(status, timeout=300).read()
        search.append((time.perf_counter() - start) * 1000)
        print(f"run {i + 1}: reload {times[-1]:.0f} ms, search index {search[-1]:.0f} ms")
    with open(method, "w", encoding="utf-8") as f:
        f.write(original)
    print(f"median {statistics.median(times):.0f} ms to reload, {statistics.median(search):.0f} ms to the search index, over {runs} saves")
finally:
    proc.kill()
