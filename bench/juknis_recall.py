#!/usr/bin/env python3
"""Word recall of the default Juknis against the Purbalingga Juknis it follows.

    python3 bench/juknis_recall.py                # renders it with target/{release,debug}/sepakat
    python3 bench/juknis_recall.py juknis.html    # measures an HTML file rendered before

Without a file it imports seeds/pks-purbalingga-dinkopukm-2025.json (the
DINKOPUKM agreement; its Juknis data is that of ../shared/examples/) into a
fresh SQLite database in a temporary folder and runs
`sepakat render --agreement 1 --kind juknis --format html`.

The reference is bench/fixtures/juknis-purbalingga-2025.txt: the OCR text of
the signed Juknis, from "JUKNIS WEB PORTAL" to its MENGETAHUI block (see
bench/fixtures/README.md). Recall = sum over lowercase word tokens (runs of
letters and digits) of min(count in reference, count in rendered), divided by
the number of tokens in the reference. tests/api/documents.rs computes the same
figure and fails below 0.95.

Standard library only. Prints the figure and the most-missed words; exits 1
below --min (default 0.95).
"""

import argparse
import collections
import html
import html.parser
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "bench", "fixtures", "juknis-purbalingga-2025.txt")
SEED = os.path.join(ROOT, "seeds", "pks-purbalingga-dinkopukm-2025.json")
AS_OF = "2026-11-25"


def tokens(text):
    """Lowercase runs of letters and digits; everything else separates."""
    out, word = [], []
    for ch in text.lower():
        if ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def roman(n):
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def marker_text(marker, n):
    """The marker a browser draws before the n-th item of <ol marker=…>
    (assets/document.css): "1.", "a.", "A.", "I.", "1)", "a)", "(1)", "-"."""
    letter = LETTERS[(n - 1) % 26]
    return {
        "1.": f"{n}.", "a.": f"{letter}.", "A.": f"{letter.upper()}.", "I.": f"{roman(n)}.",
        "1)": f"{n})", "a)": f"{letter})", "(1)": f"({n})", "-": "-",
    }.get(marker, f"{n}.")


class Visible(html.parser.HTMLParser):
    """The words a reader sees in the body: text, plus the list markers the
    stylesheet draws (they are words of the reference too: "1.", "a)")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.lists, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("head", "style", "title", "script"):
            self.skip += 1
        elif tag == "ol":
            self.lists.append([attrs.get("marker") or "1.", int(attrs.get("start") or 1) - 1])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            self.out.append(" " + marker_text(*self.lists[-1]) + " ")
        self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in ("head", "style", "title", "script"):
            self.skip = max(0, self.skip - 1)
        elif tag == "ol" and self.lists:
            self.lists.pop()
        self.out.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def visible_text(markup):
    parser = Visible()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def recall(reference, rendered):
    ref = collections.Counter(tokens(reference))
    got = collections.Counter(tokens(rendered))
    total = sum(ref.values())
    hit = sum(min(n, got[w]) for w, n in ref.items())
    missed = collections.Counter({w: n - got[w] for w, n in ref.items() if n > got[w]})
    return (hit / total if total else 0.0), hit, total, missed


def find_binary():
    for profile in ("release", "debug"):
        path = os.path.join(ROOT, "target", profile, "sepakat")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no target/release/sepakat or target/debug/sepakat: run `cargo build` first")


def render(binary):
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "recall.db")
        out = os.path.join(tmp, "juknis.html")
        env = dict(os.environ, RUST_LOG="error")
        env.pop("SEPAKAT_TEMPLATES", None)
        env.pop("DATABASE_URL", None)
        for args in (
            ["import", SEED],
            ["render", "--agreement", "1", "--kind", "juknis", "--format", "html",
             "--set", "default", "--as-of", AS_OF, "-o", out],
        ):
            run = subprocess.run([binary, "--database", db] + args, env=env,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"sepakat {args[0]} failed: {run.stderr.strip()}")
        with open(out, encoding="utf-8") as f:
            return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("html", nargs="?", help="rendered Juknis HTML (default: render it)")
    ap.add_argument("--binary", help="sepakat binary (default: target/release, else target/debug)")
    ap.add_argument("--top", type=int, default=25, help="how many missed words to list")
    ap.add_argument("--min", type=float, default=0.95, help="exit 1 below this recall")
    args = ap.parse_args()

    with open(REFERENCE, encoding="utf-8") as f:
        reference = f.read()
    if args.html:
        with open(args.html, encoding="utf-8") as f:
            markup = f.read()
    else:
        markup = render(args.binary or find_binary())

    value, hit, total, missed = recall(reference, visible_text(markup))
    print(f"juknis word recall: {value:.4f} ({hit} of {total} reference words)")
    if missed and args.top > 0:
        top = ", ".join(f"{w} ({n})" for w, n in missed.most_common(args.top))
        print(f"most missed ({sum(missed.values())} in all): {top}")
    return 0 if value >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
