#!/usr/bin/env python3
"""Deterministic generated knowledge banks for benchmarks: `gen_corpus.py PAGES OUT_DIR`.

The corpus follows the content model: valid vocabulary ids (copied from the bundled
content/vocabularies.yaml), methods, centres and pathways that refer to each other, and about
800 words a page of inflected Finnish with headings, lists, tables and internal links.
The same PAGES always gives the same bytes (seeded generator, sorted output)."""

import os
import random
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Stems with the inflected forms real text uses, including consonant gradation.
WORDS = """lapsi lapsen lasta lapset lapsille lasten lapsia lapsesta
perhe perheen perhettä perheet perheille perheiden perheissä perheestä
vanhempi vanhemman vanhempaa vanhemmat vanhemmille vanhempien vanhemmuus vanhemmuuden vanhemmuutta
nuori nuoren nuorta nuoret nuorille nuorten nuoria nuoresta
äiti äidin äitiä äidit äideille isä isän isää isät isille
lastensuojelu lastensuojelun lastensuojelussa lastensuojeluun lastensuojelulle
palvelu palvelun palvelua palvelut palveluissa palveluihin palveluiden
tuki tuen tukea tuet tukeen tuesta tukena
menetelmä menetelmän menetelmää menetelmät menetelmiä menetelmien menetelmällä
koulu koulun koulua koulussa kouluun koulusta oppilashuolto opiskeluhuollon
perhekeskus perhekeskuksen perhekeskuksessa perhekeskukseen neuvola neuvolan neuvolassa
terapia terapian terapiaa terapiassa perheterapia perheterapiaa perheterapian
työntekijä työntekijän työntekijät työntekijöiden ammattilainen ammattilaisen ammattilaiset ammattilaisille
arviointi arvioinnin arviointia arvioinnissa palvelutarpeen asiakassuunnitelma asiakassuunnitelman
mielenterveys mielenterveyden mielenterveyttä päihde päihteiden päihteitä riippuvuus riippuvuuden
väkivalta väkivallan väkivaltaa väkivallasta kaltoinkohtelu kaltoinkohtelun
käytös käytöksen käytöshäiriö käytöshäiriön käytösongelmat käytösongelmien
vuorovaikutus vuorovaikutuksen vuorovaikutusta kiintymyssuhde kiintymyssuhteen
konsultaatio konsultaation konsultaatiota konsultaatiossa yhteistyö yhteistyön yhteistyössä
ryhmä ryhmän ryhmässä ryhmiin tapaaminen tapaamisen tapaamiset tapaamisissa
koulutus koulutuksen koulutusta koulutuksessa työnohjaus työnohjauksen
vaikuttavuus vaikuttavuuden vaikuttavuutta tutkimus tutkimuksen tutkimuksissa näyttö näytön näyttöä
ja on että ei kun myös sekä tai jos kuin mutta joka jotka ovat voi voidaan tulee
hyvin usein aina yhdessä erityisesti kuitenkin lisäksi tarvittaessa nopeasti
auttaa tukee vahvistaa edistää ehkäisee vähentää arvioi ohjaa kuuntelee keskustelee""".split()

HEADINGS = ["Mikä menetelmä on", "Kenelle", "Toteutus", "Koulutus ja käyttöönotto", "Näyttö",
            "Yhteistyö", "Käytännön vinkit", "Seuranta ja arviointi"]


def vocabularies():
    text = open(os.path.join(ROOT, "content", "vocabularies.yaml"), encoding="utf-8").read()
    lists, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+):\s*$", line)
        if m:
            current = m.group(1)
            lists[current] = []
            continue
        m = re.match(r"^\s+- \{id: ([^,]+),", line)
        if m and current:
            lists[current].append(m.group(1).strip())
    return lists


def sentence(rng, n=None):
    n = n or rng.randint(8, 16)
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng, sentences):
    return " ".join(sentence(rng) for _ in range(sentences))


def body(rng, words, method_ids, folder):
    """About `words` words of Markdown with headings, a list, a table and internal links."""
    out, count = [], 0
    for h in rng.sample(HEADINGS, k=min(len(HEADINGS), max(3, words // 120))):
        out.append(f"## {h}\n")
        p = paragraph(rng, rng.randint(4, 7))
        if method_ids and rng.random() < 0.5:
            target = rng.choice(method_ids)
            prefix = "" if folder == "menetelmat" else "../menetelmat/"
            p += f" Katso myös [{target}]({prefix}{target}.md)."
        out.append(p + "\n")
        count += len(p.split())
        if rng.random() < 0.3:
            out.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(4)) + "\n")
            count += 28
        if rng.random() < 0.15:
            out.append("| Vaihe | Kesto |\n|---|---|\n" + "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 20)} viikkoa |" for _ in range(3)) + "\n")
        if count >= words:
            break
    return "\n".join(out)


def pick(rng, ids, lo, hi):
    return rng.sample(ids, k=min(len(ids), rng.randint(lo, hi)))


def flow(ids):
    return "[" + ", ".join(ids) + "]"


def main():
    pages, out = int(sys.argv[1]), sys.argv[2]
    words = int(os.environ.get("WORDS", "800"))
    rng = random.Random(pages)
    v = vocabularies()
    if os.path.exists(out):
        shutil.rmtree(out)
    for d in ["menetelmat", "keskukset", "palvelupolut", "sivut"]:
        os.makedirs(os.path.join(out, "content", d))
    shutil.copy(os.path.join(ROOT, "tietopankki.yaml"), out)
    shutil.copy(os.path.join(ROOT, "content", "vocabularies.yaml"), os.path.join(out, "content"))
    n_centres = 5
    n_pathways = max(3, pages // 10)
    n_pages = max(1, pages // 20)
    n_methods = max(3, pages - n_centres - n_pathways - n_pages - 1)
    methods = [f"menetelma-{i:06d}" for i in range(n_methods)]
    centres = [f"keskus-{i}" for i in range(n_centres)]
    src = "sources:\n  - title: Generoitu lähde\n    url: https://example.org/lahde\n"

    def write(rel, text):
        with open(os.path.join(out, "content", rel), "w", encoding="utf-8") as f:
            f.write(text)

    write("_index.md", "---\ntitle: Generoitu tietopankki\n---\n\n" + paragraph(rng, 3) + "\n")
    for i, m in enumerate(methods):
        a = rng.randint(0, 12)
        ev = ""
        if rng.random() < 0.6:
            ev = ("evidence:\n  - source: kasvuntuki\n    scale: kt-2022\n    rating: \"%d\"\n    reviewed: 2024-0%d\n"
                  % (rng.randint(1, 5), rng.randint(1, 9)))
        else:
            ev = "evidence_note: Ei arvioitu.\n"
        related = flow(pick(rng, methods[:i] or methods, 0, 3)) if i else "[]"
        write(f"menetelmat/{m}.md", f"""---
title: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}
summary: {sentence(rng)}
method_type: {rng.choice(v['method_types'])}
target_groups: {flow(pick(rng, v['target_groups'], 1, 3))}
age_min: {a}
age_max: {a + rng.randint(0, 8)}
age_bands: {flow(pick(rng, v['age_bands'], 1, 3))}
themes: {flow(pick(rng, v['themes'], 1, 4))}
service_levels: {flow(pick(rng, v['service_levels'], 1, 2))}
settings: {flow(pick(rng, v['settings'], 1, 3))}
delivery: {flow(pick(rng, v['delivery'], 1, 2))}
languages: {flow(pick(rng, v['languages'], 1, 2))}
dosage: {rng.randint(4, 20)} tapaamista
{ev}related: {related}
{src}status: published
last_reviewed: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}
---

{body(rng, words, methods, "menetelmat")}""")
    for c in centres:
        write(f"keskukset/{c}.md", f"""---
name: Keskus {c}
summary: {sentence(rng)}
cooperation_area: {rng.choice(v['cooperation_areas'])}
regions: {flow(pick(rng, v['regions'], 2, 4))}
methods_supported: {flow(pick(rng, methods, 3, 10))}
{src}status: published
last_verified: 2025-06-01
---

{body(rng, words, methods, "keskukset")}""")
    for i in range(n_pathways):
        steps = ""
        for level in v["service_levels"]:
            steps += f"""  - title: {sentence(rng, 4)}
    level: {level}
    actors: {flow(pick(rng, v['actors'], 1, 3))}
    methods: {flow(pick(rng, methods, 1, 4))}
    escalate_when: {sentence(rng)}
"""
        write(f"palvelupolut/polku-{i:05d}.md", f"""---
title: Polku {i} {rng.choice(WORDS)}
summary: {sentence(rng)}
themes: {flow(pick(rng, v['themes'], 1, 2))}
age_bands: {flow(pick(rng, v['age_bands'], 1, 2))}
steps:
{steps}{src}status: published
last_reviewed: 2025-03-01
---

{body(rng, words, methods, "palvelupolut")}""")
    for i in range(n_pages):
        write(f"sivut/sivu-{i:05d}.md", f"---\ntitle: Sivu {i}\n---\n\n{body(rng, words, methods, 'sivut')}")
    print(f"{out}: {n_methods} methods, {n_centres} centres, {n_pathways} pathways, {n_pages + 1} pages")


if __name__ == "__main__":
    main()
