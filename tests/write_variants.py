"""Write every stack variant the tests build into the folder $SYNTH_VARIANTS_OUT, one file each.

Not collected with the suite (pytest collects `test_*.py`): `test_synth_output.py` runs this file
in a pytest subprocess once per loader mode, so each variant is built by the session fixtures of
`conftest.py`, exactly as the other tests build it, and the bytes can be compared across modes.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import VARIANTS

OUT_VARIABLE = "SYNTH_VARIANTS_OUT"


@pytest.mark.parametrize("variant", VARIANTS)
def test_write_variant(variant, request):
    text = request.getfixturevalue(variant).text
    path = Path(os.environ[OUT_VARIABLE]) / f"{variant}.json"
    path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
