#!/usr/bin/env bash
# Sourced by the other scripts: puts a Swift toolchain on PATH or explains how to get one.
if ! command -v swift >/dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin "$HOME/.swiftly/bin"; do
        if [[ -x "$candidate/swift" ]]; then
            export PATH="$candidate:$PATH"
            break
        fi
    done
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "error: no Swift toolchain found. Install Swift 6.1 or later (https://www.swift.org/install/linux/)" >&2
    echo "       and put its usr/bin on PATH, then run this script again." >&2
    exit 1
fi
