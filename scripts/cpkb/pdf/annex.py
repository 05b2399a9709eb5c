"""The support annex of a book: the consultant network, the funding guide and the
documented cases (issue 17), from the same views as the site's support pages.

A sector book carries the consultants who serve its sector (and those serving
every sector), every funding line, and the cases of its sector; the complete
book carries everything. A mixin of the book writer (pdf.book._Book), which
supplies emit, division, fragment, L, lang, plan, cat, anchors and href_for.
"""

from __future__ import annotations

from cpkb.pdf.markup import Context, escape, string
from cpkb.pdf.views import reuse_view
from cpkb.support_view import SupportSourceView, support_views
from cpkb.text.labels import label


class SupportAnnex:
    def support_annex(self) -> None:
        support = self.plan.sources.support
        if support is None:
            return
        lang, sector = self.lang, self.plan.sector
        views = reuse_view(support, lang, self.href_for, lambda href: support_views(self.cat, support, lang, href))
        consultants = [
            c for c in views.consultants if sector is None or not c.sectors or any(s.key == sector for s in c.sectors)
        ]
        cases = [c for c in views.cases if sector is None or any(s.key == sector for s in c.sectors)]
        if not (consultants or views.funding or cases):
            return
        self.division("support", label("support.title", lang))
        self.emit(f"{self.L('support.intro')}\n\n")
        ctx = Context(self.anchors, self.assets, heading_offset=3, outlined_levels=0)
        if consultants:
            self._annex_section("consultants")
            for c in consultants:
                facts = [
                    ("support.consultants.region", c.region.label),
                    ("support.consultants.services", ", ".join(s.label for s in c.services)),
                    (
                        "support.consultants.sectors",
                        ", ".join(s.label for s in c.sectors) or label("support.all_sectors", lang),
                    ),
                ]
                self._entry(c.name, facts, self.fragment(c.description, ctx), c.website, c.sources)
        if views.funding:
            self._annex_section("funding")
            for f in views.funding:
                facts = [
                    ("support.funding.provider", f.provider),
                    ("support.funding.finances", None),
                    ("support.funding.eligible", None),
                    ("support.funding.how_to_apply", None),
                ]
                bodies = {
                    "support.funding.finances": f.finances,
                    "support.funding.eligible": f.eligible,
                    "support.funding.how_to_apply": f.how_to_apply,
                }
                text = "".join(
                    f"*{self.L(k)}.* {self.fragment(bodies[k], ctx).strip()}\n\n" for k, v in facts if v is None
                )
                self._entry(f.name, facts[:1], text, None, f.sources)
        if cases:
            self._annex_section("cases")
            for c in cases:
                facts = [("support.cases.facility", c.facility)]
                if c.programme:
                    facts.append(("support.cases.programme", c.programme))
                if c.measures:
                    facts.append(("support.cases.measures", "; ".join(f"{m.id} {m.title}" for m in c.measures)))
                results = "".join(f"- {escape(r)}\n" for r in c.results)
                body = (
                    f"{self.fragment(c.summary, ctx).strip()}\n\n*{self.L('support.reported')}.* "
                    f"{self.L('support.reported_note')}\n\n{results}\n"
                )
                self._entry(c.title, facts, body, None, c.sources)

    def _annex_section(self, kind: str) -> None:
        self.emit(
            f"#heading(level: 2, bookmarked: true)[{self.L(f'support.{kind}.title')}] <support-{kind}>\n",
            f"#text(size: 8.5pt)[{self.L(f'support.{kind}.intro')}]\n\n",
        )

    def _entry(
        self, name: str, facts: list, body: str, website: str | None, sources: tuple[SupportSourceView, ...]
    ) -> None:
        """One directory entry: name, key facts, text, website and dated sources, kept on one page when it fits."""
        lines = "".join(f"*{self.L(k)}:* {escape(v)} \\\n" for k, v in facts if v)
        site = f"*{self.L('support.website')}:* #link({string(website)})[{escape(website)}] \\\n" if website else ""
        cited = "; ".join(
            f"{escape(s.publisher)}, #emph[{escape(s.title)}], #link({string(s.url)})[{escape(s.url)}] "
            f"({escape(label('support.checked', self.lang, day=s.checked))})"
            for s in sources
        )
        self.emit(
            "#block(breakable: true, above: 10pt, below: 10pt, inset: (left: 6pt), "
            "stroke: (left: 1.5pt + luma(170)))[\n",
            f"#heading(level: 3, outlined: false)[{escape(name)}]\n",
            lines,
            site,
            "\n",
            body,
            "\n",
            f"#text(size: 7.5pt, fill: cp-muted)[*{self.L('support.sources')}:* {cited}]\n]\n\n",
        )
