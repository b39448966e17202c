"""The cut-over of a legacy source (``hopnhat cutover``): freeze, last run, reconcile at the freeze point, signed
report, catalog marked — resumable, refused loudly when it must not happen, rehearsed on a throw-away copy.

Modules: ``snapshot`` (the freeze's checksums), ``folder`` (the steps reached), ``procedure`` (the steps),
``report`` (signed report), ``audit`` (its entry in the audit chain), ``rehearsal`` (on a copy), ``overview`` (each
source's state for the monitoring).
"""

from hopnhat.run.cutover.overview import source_overview
from hopnhat.run.cutover.procedure import CutoverOptions, CutoverRefused, CutoverResult, cutover
from hopnhat.run.cutover.rehearsal import rehearse
from hopnhat.run.cutover.report import Signer, verify_report

__all__ = ["CutoverOptions", "CutoverRefused", "CutoverResult", "Signer", "cutover", "rehearse", "source_overview",
           "verify_report"]
