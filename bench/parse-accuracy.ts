/**
 * Template-mining accuracy on Loghub-2k (GA, PA, FGA, FTA per system and the mean), with the
 * header layouts from settings.json and one global configuration.
 * Run: npm run bench:parse-accuracy   (writes bench/results/parse-accuracy.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileHeaderLayout } from '../src/core/engine/logs/header-layout.js';
import { TemplateParser } from '../src/core/engine/logs/template-parser.js';
import { loadLoghub, scoreParse } from './loghub.js';
import { resultsDir } from './paths.js';
import type { Accuracy } from './loghub.js';

export function parseSystem(
  lines: readonly string[],
  layout: string,
): { ids: string[]; templates: string[] } {
  const header = compileHeaderLayout(layout);
  const contents = lines.map((l) => {
    const m = header.match(l);
    return m === undefined || header.contentIndex < 0 ? l : m[header.contentIndex]!;
  });
  const parser = new TemplateParser();
  for (const c of contents) parser.learn(c);
  parser.finish();
  const ids: string[] = [];
  const templates: string[] = [];
  for (const c of contents) {
    const { template } = parser.match(c);
    ids.push(template.id);
    templates.push(template.text);
  }
  return { ids, templates };
}

function main(): void {
  const rows: (Accuracy & { system: string })[] = [];
  const verbose = process.argv.includes('--verbose');
  for (const sys of loadLoghub()) {
    const { ids, templates } = parseSystem(sys.lines, sys.layout);
    rows.push({
      system: sys.name,
      ...scoreParse(ids, templates, sys.truthIds, sys.truthTemplates),
    });
    if (verbose) {
      const seen = new Set<string>();
      for (let i = 0; i < ids.length; i++) {
        if (templates[i] !== sys.truthTemplates[i] && !seen.has(templates[i]!)) {
          seen.add(templates[i]!);
          console.log(`${sys.name}\n  got:  ${templates[i]}\n  want: ${sys.truthTemplates[i]}`);
        }
      }
    }
  }
  const mean = (k: keyof Accuracy) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  console.log('| system | GA | PA | FGA | FTA | groups (truth) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.system} | ${r.GA.toFixed(3)} | ${r.PA.toFixed(3)} | ${r.FGA.toFixed(3)} | ${r.FTA.toFixed(3)} | ${r.groups} (${r.truthGroups}) |`,
    );
  console.log(
    `| **mean** | **${mean('GA').toFixed(3)}** | **${mean('PA').toFixed(3)}** | **${mean('FGA').toFixed(3)}** | **${mean('FTA').toFixed(3)}** | |`,
  );
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'parse-accuracy.json'),
    JSON.stringify(
      { rows, mean: { GA: mean('GA'), PA: mean('PA'), FGA: mean('FGA'), FTA: mean('FTA') } },
      null,
      2,
    ),
  );
}

if (process.argv[1]?.endsWith('parse-accuracy.js') === true) main();
