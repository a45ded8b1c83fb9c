# tests/alerts/fixture.sh: reading the detector fixtures' "#@" lines
# (sourced by detectors.sh and store.sh after tests/lib.sh; the Python
# side is tests/wtfixture.py).
#
#   fx_runs FX: the names of its runs ("#@run NAME"), in order.
#   fx_conf FX RUN OUT: the settings of RUN ("#@config" lines after its
#   "#@run", up to the next one) into the file OUT, "@corpus" replaced by
#   $WT_CORPUS.
#   fx_need_corpus FX LABEL: 0 if FX can run here; when its settings
#   name the corpus and there is none, one TAP line (a failure under
#   CI=true, else a skip) and 1.

fx_runs() {
	sed -n 's/^#@run \([A-Za-z0-9_-]*\).*/\1/p' "$1"
}

fx_conf() {
	awk -v r="$2" -v c="${WT_CORPUS:-}" '
	    /^#@run / { on = ($2 == r); next }
	    on && /^#@config / { sub(/^#@config /, ""); gsub(/@corpus/, c);
		print }
	' "$1" >"$3"
}

fx_need_corpus() {
	if grep -q '^#@config .*@corpus' "$1" &&
	    ! [ -d "${WT_CORPUS:-/nonexistent}/mmdb" ]; then
		if wt_ci; then
			wt_fail "$2: no corpus mmdb/ (required when CI=$CI)"
		else
			echo "ok - $2 # SKIP no corpus mmdb/"
		fi
		return 1
	fi
	return 0
}
