"""The docs site is built by GitHub Actions (nbdev + Quarto; Quarto cannot be installed on these machines).

This is the CI-safe stand-in for that build: every notebook goes through nbdev's docs processors — the step
`nbdev_docs` runs before `quarto render`, which also executes the cells that document exports and every
cell containing an import — and is rendered to HTML with nbconvert, turning the Quarto front matter into a
title block the way Quarto does. Each page must have its title and description, and no error output.
The sidebar must list every page.

`python tests/test_docs.py OUT_DIR [NOTEBOOK ...]` writes the HTML pages, e.g. to look at them in a browser.
"""
import re, sys, tempfile
from pathlib import Path

import nbformat
import pytest
import yaml
from execnb.nbio import read_nb, write_nb
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
PAGES = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))

def heading(nb_path: Path) -> tuple[str, str]:
    "Title (`# ...`) and summary (`> ...`) of the notebook's first markdown cell"
    first = next(c for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == 'markdown')
    title = re.search(r'^# (.+)$', first.source, re.M)
    summary = re.search(r'^> (.+)$', first.source, re.M)
    return (title.group(1).strip() if title else ''), (summary.group(1).strip() if summary else '')

def docs_notebook(nb_path: Path) -> nbformat.NotebookNode:
    "The notebook as nbdev hands it to Quarto (processors applied, show_doc cells executed)"
    from nbdev.processors import FilterDefaults
    nb = read_nb(nb_path)
    FilterDefaults()(nb)
    with tempfile.TemporaryDirectory() as tmp:
        write_nb(nb, Path(tmp)/'page.ipynb')
        nb = nbformat.read(Path(tmp)/'page.ipynb', as_version=4)
    for i, cell in enumerate(nb.cells): cell.setdefault('id', f'cell-{i}')
    return nb

def front_matter(nb: nbformat.NotebookNode) -> dict:
    "Quarto front matter of a processed notebook (its first raw cell), {} when there is none"
    raw = next((c for c in nb.cells if c.cell_type == 'raw'), None)
    match = re.match(r'^---\n(.*?)\n---', raw.source, re.S) if raw is not None else None
    return (yaml.safe_load(match.group(1)) or {}) if match else {}

QUARTO_ATTRS = re.compile(r'\{(?:target|\.)[^}\n]*\}')  # Pandoc attributes like [source](url){target="_blank"}

def as_quarto_would(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    "Title block from the front matter; `#|` cell options applied (echo: false) and removed; Pandoc attributes dropped"
    meta = front_matter(nb)
    cells = [nbformat.v4.new_markdown_cell(f"# {meta.get('title', '')}\n\n*{meta.get('description', '')}*")]
    for cell in nb.cells:
        if cell.cell_type == 'raw': continue
        if cell.cell_type == 'code':
            options = [l for l in cell.source.splitlines() if l.startswith('#|')]
            cell.source = '\n'.join(l for l in cell.source.splitlines() if not l.startswith('#|'))
            if any(re.match(r'#\|\s*echo:\s*false', o) for o in options): cell.metadata.setdefault('tags', []).append('remove_input')
            for out in cell.get('outputs', []):
                if 'text/markdown' in out.get('data', {}): out['data']['text/markdown'] = QUARTO_ATTRS.sub('', out['data']['text/markdown'])
        cells.append(cell)
    nb.cells = cells
    return nb

def render_html(nb_path: Path) -> tuple[str, nbformat.NotebookNode]:
    "HTML of the docs page of `nb_path`, and the processed notebook"
    nb = docs_notebook(nb_path)
    exporter = HTMLExporter()
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    title = front_matter(nb).get('title', nb_path.stem)
    html, _ = exporter.from_notebook_node(as_quarto_would(nbformat.from_dict(nb)), resources={'metadata': {'name': title}})
    return html, nb

def error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    "Error outputs and tracebacks printed to stderr in the processed notebook"
    found = []
    for cell in nb.cells:
        for out in cell.get('outputs', []):
            if out.get('output_type') == 'error': found.append(f"{out.get('ename')}: {out.get('evalue')}")
            elif out.get('name') == 'stderr' and 'Traceback' in ''.join(out.get('text', '')): found.append(''.join(out['text'])[-300:])
    return found

@pytest.fixture(autouse=True)
def _in_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # nbdev_docs runs from the project root

@pytest.mark.parametrize('page', PAGES, ids=lambda p: p.stem)
def test_page_renders(page):
    title, summary = heading(page)
    assert title, f'{page.name}: the first markdown cell needs a "# Title" line'
    assert summary, f'{page.name}: the first markdown cell needs a "> summary" line'
    html, nb = render_html(page)
    meta = front_matter(nb)
    assert meta.get('title') == title and meta.get('description') == summary, f'{page.name}: front matter {meta}'
    assert f'<title>{title}</title>' in html and re.search(rf'<h1[^>]*>\s*{re.escape(title)}', html), f'{page.name}: no title in the page'
    assert not error_outputs(nb), f'{page.name}: error output in the docs page: {error_outputs(nb)}'
    assert 'Traceback (most recent call last)' not in html, f'{page.name}: a traceback in the docs page'

def test_sidebar_lists_every_page():
    contents = yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents']
    def entries(items):
        for item in items:
            if isinstance(item, dict): yield from entries(item.get('contents', []))
            else: yield item
    listed = list(entries(contents))
    assert sorted(listed) == sorted(p.name for p in PAGES), f'sidebar.yml lists {listed}'
    assert listed[0] == 'index.ipynb'

if __name__ == '__main__':
    out_dir = Path(sys.argv[1]); out_dir.mkdir(parents=True, exist_ok=True)
    for page in [Path(p).resolve() for p in sys.argv[2:]] or PAGES:
        html, _ = render_html(page)
        (out_dir/f'{page.stem}.html').write_text(html)
        print('wrote', out_dir/f'{page.stem}.html')
