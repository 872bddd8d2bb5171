"""README.md is generated from nbs/index.ipynb; `python tests/test_readme.py` regenerates it, the test checks it is current."""
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

def render_readme(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "Markdown of the index notebook: markdown cells as they are, code cells as python blocks with their text outputs"
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.source.lstrip().startswith('#| hide'): continue
        if cell.cell_type == 'markdown': parts.append(cell.source)
        elif cell.cell_type == 'code':
            parts.append(f'```python\n{cell.source}\n```')
            for out in cell.get('outputs', []):
                text = out.get('text') or out.get('data', {}).get('text/plain')
                if text: parts.append('```\n' + ''.join(text).rstrip() + '\n```')
    return '<!-- generated from nbs/index.ipynb by `python tests/test_readme.py`; edit the notebook, not this file -->\n\n' + '\n\n'.join(parts) + '\n'

def test_readme_is_current():
    assert (ROOT/'README.md').read_text() == render_readme(), 'README.md is stale: run `python tests/test_readme.py`'

if __name__ == '__main__':
    (ROOT/'README.md').write_text(render_readme())
    print('wrote README.md')
