#!/usr/bin/env python3
"""The network-level report of the README: per network, preset, fusion mode and batch, the int8
energy and DRAM share at width 1.0 and the ratios fp16/int8 and int8/int4+res8, from `poq energy
--json`. Usage: tools/network_report.py [POQ] > table.md (POQ defaults to build/app/poq)."""
import json
import subprocess
import sys

poq = sys.argv[1] if len(sys.argv) > 1 else "build/app/poq"
networks = ["mobilenetv2", "mobilenetv2-fmnist"]
presets = json.loads(subprocess.run([poq, "hw", "--json"], capture_output=True, text=True, check=True).stdout)
presets = [p["name"] for p in presets["presets"]] if isinstance(presets, dict) else [p["name"] for p in presets]


def energy(network, strategy, preset, fusion, batch):
    out = subprocess.run([poq, "energy", network, "--strategy", strategy, "--hw", preset, "--json",
                          "--set", "network.fusion=" + fusion, "--set", "network.batch=" + str(batch)],
                         capture_output=True, text=True, check=True).stdout
    total = json.loads(out)["total"]
    return total["energyPj"], total["dramPj"] / total["energyPj"]


print("| network | preset | fusion | batch | int8 µJ | int8 DRAM | fp16/int8 | int8/int4+res8 |")
print("|---|---|---|---|---|---|---|---|")
for network in networks:
    for preset in presets:
        for fusion in ["none", "blocks", "auto"]:
            for batch in [1, 8]:
                e16, _ = energy(network, "fp16", preset, fusion, batch)
                e8, d8 = energy(network, "int8", preset, fusion, batch)
                e4, _ = energy(network, "int4+res8", preset, fusion, batch)
                print(f"| {network} | {preset} | {fusion} | {batch} | {e8 / 1e6:,.1f} | {100 * d8:.1f} % | "
                      f"{e16 / e8:.2f} | {e8 / e4:.2f} |", flush=True)
