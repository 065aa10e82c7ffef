"""Write a large synthetic rule pack (default 2,000 permits) to measure loading and composing at scale.

The shape follows the real packs: industries bundle scope items; each permit is reached from one or
two scope items and refined by a few questions; elements and materials are partly conditional;
materials come from a shared registry with variants, fields from one dictionary.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml


def write(root: Path, permits: int = 2000, seed: int = 7) -> str:
    """Write pack ``generated`` under ``root`` and return its id."""
    rng = random.Random(seed)
    folder = root / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    # As in the real packs, a business-scope item leads to one or two permits, so a case with three
    # industries needs about a dozen permits however large the catalogue.
    n_scope, n_questions, n_materials, n_fields, n_industries = (
        permits,
        max(30, permits // 20),
        permits // 6,
        permits // 5,
        permits // 20,
    )
    booleans = [f"q{i}" for i in range(0, n_questions, 3)]
    numbers = [f"q{i}" for i in range(1, n_questions, 3)]
    choices = [f"q{i}" for i in range(2, n_questions, 3)]

    def leaf() -> dict[str, object]:
        kind = rng.random()
        if kind < 0.5:
            return {"answer": rng.choice(booleans), "is": rng.random() < 0.7}
        if kind < 0.8:
            return {"answer": rng.choice(numbers), rng.choice(["gt", "gte", "lt", "lte"]): rng.choice([50, 100, 150, 300, 500])}
        return {"answer": rng.choice(choices), "in": rng.sample(["a", "b", "c", "d"], 2)}

    def text(label: str) -> dict[str, str]:
        return {"zh": label, "en": label}

    meta = {"id": "generated", "name": text("生成的规则包")}
    catalog = {
        "departments": [{"id": f"d{i}", "name": text(f"部门{i}"), "source": "inferred"} for i in range(30)],
        "scope_items": [{"id": f"s{i}", "name": text(f"经营范围{i}"), "source": "inferred"} for i in range(n_scope)],
        "industries": [
            {
                "id": f"i{i}",
                "name": text(f"行业{i}"),
                "scope": [f"s{j}" for j in rng.sample(range(n_scope), rng.randint(3, 5))],
                "source": "inferred",
            }
            for i in range(n_industries)
        ],
        "questions": [{"id": q, "text": text(f"问题{q}"), "type": "boolean", "source": "inferred"} for q in booleans]
        + [
            {"id": q, "text": text(f"问题{q}"), "type": "number", "min": 0, "max": 100000, "unit": "㎡", "source": "inferred"}
            for q in numbers
        ]
        + [
            {
                "id": q,
                "text": text(f"问题{q}"),
                "type": "choice",
                "source": "inferred",
                "options": [{"value": v, "label": text(v)} for v in "abcd"],
            }
            for q in choices
        ],
        "materials": [
            {
                "key": f"m{i}",
                "name": text(f"材料{i}"),
                "source": "inferred",
                "government_holds": i % 17 == 0,
                "variants": [{"id": f"v{j}", "name": text(f"版本{j}")} for j in range(3)] if i % 5 == 0 else [],
            }
            for i in range(n_materials)
        ],
        "fields": [
            {
                "id": f"f{i}",
                "label": text(f"字段{i}"),
                "section": rng.choice(["applicant", "premises", "equipment", "personnel", "management"]),
                "type": "text",
                "source": "inferred",
            }
            for i in range(n_fields)
        ],
    }

    def material_ref() -> dict[str, object]:
        i = rng.randrange(n_materials)
        ref: dict[str, object] = {"material": f"m{i}"}
        if i % 5 == 0:
            ref["variant"] = f"v{rng.randrange(3)}"
        if rng.random() < 0.2:
            ref["when"] = leaf()
        return ref

    permit_list = []
    for i in range(permits):
        scopes = [{"scope": f"s{j}"} for j in rng.sample(range(n_scope), rng.randint(1, 2))]
        refine = [leaf() for _ in range(rng.randint(0, 2))]
        when = {"all": [{"any": scopes}, *refine]} if refine else {"any": scopes}
        commit = rng.random() < 0.4
        permit_list.append(
            {
                "id": f"p{i}",
                "name": text(f"许可{i}"),
                "department": f"d{rng.randrange(30)}",
                "legal_basis": [f"《条例{i}》"],
                "applies_when": when,
                "time_limit": {
                    "statutory": {"days": rng.choice([5, 10, 15, 20, 30]), "unit": rng.choice(["working", "calendar"])},
                    "committed": {"days": 5},
                    "source": "inferred",
                },
                "notify_commit": {
                    "available": True,
                    "letter": text("承诺"),
                    "follow_up": {"text": text("核查"), "within": {"days": 20}},
                    "time_limit": {"days": 1},
                    "source": "inferred",
                    **({"when": leaf()} if rng.random() < 0.5 else {}),
                }
                if commit
                else {"available": False, "reason": text("须现场核查"), "source": "inferred"},
                "depends_on": [{"permit": f"p{i - 1}"}] if i % 50 == 1 else [],
                "fields": [f"f{rng.randrange(n_fields)}" for _ in range(rng.randint(2, 5))],
                "materials": [material_ref() for _ in range(rng.randint(3, 6))],
                "elements": [
                    {
                        "id": f"e{k}",
                        "kind": rng.choice(["premises", "equipment", "capital", "personnel", "management"]),
                        "text": text(f"要素{k}"),
                        "source": "inferred",
                        "fields": [f"f{rng.randrange(n_fields)}"],
                        "materials": [material_ref()],
                        **({"when": leaf()} if rng.random() < 0.3 else {}),
                    }
                    for k in range(rng.randint(3, 6))
                ],
                "source": "inferred",
            }
        )
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    (folder / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    (folder / "permits.yaml").write_text(yaml.safe_dump({"permits": permit_list}, allow_unicode=True), encoding="utf-8")
    return "generated"
