"""Candidate patches of a failing state: every mutation operator and repair template applied, as a fix, at the most
suspicious lines. The operator that injected a bug usually has its inverse among them (``a - b`` back to ``a + b``).

Patches are relative to the failing state: their edits and diff apply to the files with the bug's edits applied.
"""

from __future__ import annotations

from dataclasses import replace

from bugprm.mutate.candidates import one_line
from bugprm.mutate.engine import Mutant, mutate_file
from bugprm.mutate.registry import REPAIR_OPERATORS
from bugprm.parsing import ParsedFile
from bugprm.records import Candidate, Edit, Kind, content_id
from bugprm.repair.diffs import diff_size
from bugprm.repair.naturalness import Gain, NgramModel, naturalness_gain
from bugprm.repair.ranking import with_state_ranks
from bugprm.repair.sites import Localisation, SiteSteps, StateFiles, SuspiciousLine, site_steps
from bugprm.trajectory import build_steps, select_text

DEFAULT_TOP_SITES = 10


def generate_repairs(localisation: Localisation, files: StateFiles, repo_name: str,
                     top_sites: int = DEFAULT_TOP_SITES) -> list[Candidate]:
    """Patches at the ``top_sites`` most suspicious lines where some operator applies, most suspicious first, each
    with its ranks among the state's patches (``ranking.with_state_ranks``)."""
    found: list[Candidate] = []
    sites = 0
    for site in localisation.lines:
        if sites == top_sites:
            break
        repairs = repairs_at(localisation, files, site, repo_name)
        sites += bool(repairs)
        found += repairs
    return with_state_ranks(found)


def repairs_at(localisation: Localisation, files: StateFiles, site: SuspiciousLine, repo_name: str) -> list[Candidate]:
    parsed = files.parsed(site.file)
    mutants = mutants_at(parsed, site.line) if parsed is not None else []
    if not mutants:
        return []
    steps = site_steps(localisation, files, site)
    model = files.language_model(parsed.language)
    return [_repair(mutant, steps, localisation.state.bug_id, repo_name, _gain(model, parsed, mutant))
            for mutant in mutants]


def mutants_at(parsed: ParsedFile, line: int) -> list[Mutant]:
    """Every repair operator's valid change to a site starting on ``line``."""
    at_line = replace(parsed, sites=tuple(s for s in parsed.sites if s.node.line == line))
    return [m for m in mutate_file(at_line, REPAIR_OPERATORS) if m.line == line]


def _repair(mutant: Mutant, steps: SiteSteps, bug_id: str | None, repo_name: str, naturalness: Gain) -> Candidate:
    operator, edit = mutant.operator, mutant.edit
    node_kind = str(mutant.site.kind)
    select = select_text(operator.name, str(operator.family), node_kind, one_line(mutant.site.node.text), mutant.line)
    features = {**steps.features, "operator": operator.name, "family": str(operator.family), "node_kind": node_kind,
                "diff_chars": diff_size(mutant.diff), "naturalness": round(naturalness.per_token, 4),
                "naturalness_total": round(naturalness.total, 3)}
    return Candidate(
        id=content_id(Kind.REPAIR, bug_id, mutant.path, edit.start, edit.end, operator.name, edit.text),
        kind=Kind.REPAIR, repo=repo_name, file=mutant.path, function=steps.function, line=mutant.line,
        operator=operator.name, family=str(operator.family), diff=mutant.diff,
        steps=build_steps(Kind.REPAIR, steps.locate, steps.analyze, select, mutant.diff, steps.validate),
        edits=(Edit(mutant.path, edit.start, edit.end, mutant.original, edit.text),), bug_id=bug_id,
        features=features,
    )


def _gain(model: NgramModel, parsed: ParsedFile, mutant: Mutant) -> Gain:
    return naturalness_gain(model, parsed.source, mutant.edit.start, mutant.edit.end, mutant.edit.text)
