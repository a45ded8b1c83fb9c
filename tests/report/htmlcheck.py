#!/usr/bin/env python3
# htmlcheck.py: check a wiretop HTML report.  Usage:
#   htmlcheck.py static REPORT.html REPORT.json NAME...
#     self-contained (no script, no element or attribute that loads
#     anything, no URL but #fragments, a Content-Security-Policy meta
#     with default-src 'none'), no control byte, strict UTF-8, and each
#     NAME (a captured name, as the fixture wrote it; C0 bytes as \xNN,
#     the terminal escaping) comes back as text, never as markup;
#   htmlcheck.py dom DUMPED-DOM.html REPORT.json
#     the DOM Chromium rendered holds the charts: the traffic chart's
#     area and line paths with one point per bucket, one bar per top
#     talker and per top service.
# Prints "ok - ..." / "not ok - ..." lines.
import json, re, sys
from html.parser import HTMLParser

mode, path, js = sys.argv[1:4]
names = sys.argv[4:]
rep = json.load(open(js))
fails = 0


def check(desc, ok):
    global fails
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok:
        fails += 1


class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, d):
        self.text.append(d)


raw = open(path, "rb").read()
if mode == "static":
    try:
        doc = raw.decode("utf-8", "strict")
        check("strict UTF-8", True)
    except UnicodeDecodeError as e:
        check("strict UTF-8: %s" % e, False)
        doc = raw.decode("utf-8", "replace")
    bad = [c for c in raw if (c < 0x20 and c not in (9, 10)) or c == 0x7f]
    check("no control byte", not bad)
    p = P()
    p.feed(doc)
    p.close()
    loaders = {"script", "link", "img", "iframe", "object", "embed",
               "audio", "video", "source", "base", "form", "image",
               "use", "foreignobject", "frame", "track", "input"}
    found = sorted({t for t, a in p.tags if t in loaders})
    check("no element that loads or runs anything (%s)" % found, not found)
    urls = [(t, k, v) for t, a in p.tags for k, v in a.items()
            if k in ("src", "href", "xlink:href", "action", "srcset",
                     "data", "poster", "background")
            and not (v or "").startswith("#")]
    check("no src/href but #fragments (%s)" % urls[:3], not urls)
    ons = [(t, k) for t, a in p.tags for k in a if k.startswith("on")]
    check("no event handler attribute (%s)" % ons[:3], not ons)
    check("no URL anywhere (://, url(, @import)",
          not re.search(r"://|url\s*\(|@import", doc, re.I))
    csp = [a.get("content", "") for t, a in p.tags if t == "meta" and
           (a.get("http-equiv") or "").lower() ==
           "content-security-policy"]
    check("a Content-Security-Policy meta with default-src 'none'",
          len(csp) == 1 and "default-src 'none'" in csp[0] and
          "script-src 'none'" in csp[0])
    text = "".join(p.text)
    for n in names:
        # the name as the terminal escaping writes it
        want = re.sub(r"[\x00-\x1f\x7f]",
                      lambda m: "\\x%02x" % ord(m.group()), n)
        check("name %r is text in the page" % want, want in text)
    check("every top talker is in the page",
          all(t["address"] in text for t in rep["top_talkers"]))
else:
    p = P()
    p.feed(raw.decode("utf-8", "replace"))
    svgs = {}
    cur = None
    for t, a in p.tags:
        if t == "svg":
            cur = a.get("id")
            svgs[cur] = []
        elif cur is not None:
            svgs[cur].append((t, a))
    n = len(rep["traffic"]["buckets"])
    tr = svgs.get("traffic", [])
    paths = {a.get("class"): a.get("d", "") for t, a in tr if t == "path"}
    pts = lambda d: len(re.findall(r"[ML]\s*-?[0-9.]+,-?[0-9.]+", d))
    check("traffic chart: line with %d points (got %d)" % (
        n, pts(paths.get("line", ""))), n > 0 and pts(paths.get("line", "")) == n)
    check("traffic chart: filled area (%d points + 2)" % n,
          pts(paths.get("area", "")) == n + 2)
    check("traffic chart: axes and labels",
          sum(1 for t, a in tr if t == "line") >= 2 and
          sum(1 for t, a in tr if t == "text") >= 4)
    for sid, key in (("talkers", "top_talkers"),
                     ("services", "top_services")):
        bars = [a for t, a in svgs.get(sid, []) if t == "rect" and
                a.get("class") == "bar" and float(a.get("width", 0)) > 0]
        check("%s chart: %d bars (got %d)" % (sid, len(rep[key]), len(bars)),
              len(bars) == len(rep[key]) and len(bars) > 0)
sys.exit(1 if fails else 0)
