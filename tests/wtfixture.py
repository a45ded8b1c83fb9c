"""tests/wtfixture.py: the "#@" lines of a detector fixture
(tests/alerts/*.txt) that say what a run must raise.

expects(fx, run, fname): the (kind, subject, peer, port) of each
"#@expect" line of run, "-" as "", "@file" as fname (the capture file
as given to -r, which names the source).
messages(fx, run, fname): the (kind, subject, port, text) of each
"#@message" line of run.
"""


def _lines(fx, run):
    on = False
    for line in open(fx):
        if line.startswith("#@run "):
            on = line.split()[1] == run
        elif on:
            yield line


def expects(fx, run, fname):
    want = []
    for line in _lines(fx, run):
        if line.startswith("#@expect "):
            k, s, p, port = line.split()[1:5]
            want.append((k, fname if s == "@file" else s,
                         "" if p == "-" else p, "" if port == "-" else port))
    return want


def messages(fx, run, fname):
    texts = []
    for line in _lines(fx, run):
        if line.startswith("#@message "):
            k, s, port, text = line.rstrip("\n").split(" ", 4)[1:5]
            texts.append((k, fname if s == "@file" else s, port, text))
    return texts
