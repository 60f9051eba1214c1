"""Production static files storage: whitenoise's compressed, hashed copies, minus source maps.

Django's manifest storage rewrites every `//# sourceMappingURL=…` (and the CSS form) to the
map's hashed name, and fails `collectstatic` when the map is not there. We ship no source
maps: vendored files are kept byte for byte as their npm package has them (the SHA-256 in
static/vendor/MANIFEST.json can be checked against the registry's tarball), and Chart.js's
minified build names a `chart.umd.min.js.map` the vendored copy leaves out. So the
source-map comments are left as they are — a browser's developer tools asking for the map get
a 404, nothing else does — while every other reference (CSS `url()`, `@import`) is still
hashed and a missing target still fails `collectstatic`
(tests/ops/test_production_static_files.py).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: tuple) -> tuple:
    def names_a_source_map(pattern) -> bool:
        regex = pattern[0] if isinstance(pattern, tuple | list) else pattern
        return "sourceMappingURL" in regex

    return tuple(
        (extension, tuple(p for p in rules if not names_a_source_map(p)))
        for extension, rules in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
