import { AppError } from '../../errors.js';

/**
 * A header layout in Loghub notation, e.g. `<Date> <Time> <Level> <Component>: <Content>`.
 * Fields are `<Name>`; the text between them is literal (runs of spaces match any whitespace).
 * Like Loghub, text between fields that contains a backslash or a group `( … )?` is taken as a
 * regular expression (`\[<Pid>\]`, `(\[<PID>\])?`), so Loghub's settings work unchanged.
 */
export interface HeaderLayout {
  readonly source: string;
  readonly fields: readonly string[];
  /** Index of `Content` in `fields`, or -1 (then the whole line is the content). */
  readonly contentIndex: number;
  /** Matches a line; returns the field values (undefined when the line does not fit). */
  match(line: string): (string | undefined)[] | undefined;
}

export function compileHeaderLayout(layout: string): HeaderLayout {
  const parts = layout.split(/(<[^<>]+>)/);
  const fields: string[] = [];
  let regex = '';
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (k % 2 === 0) {
      const isRegex = part.includes('\\') || /\(.*\)\??/.test(part);
      const literal = isRegex ? part : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      regex += literal.replace(/ +/g, '\\s+');
    } else {
      const name = part.slice(1, -1).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new AppError(
          'INPUT.BAD_LAYOUT',
          `header layout field "${part}" is not a name: use letters, digits and _ (e.g. <Level>)`,
          { layout },
        );
      }
      if (fields.includes(name)) {
        throw new AppError(
          'INPUT.BAD_LAYOUT',
          `header layout names <${name}> twice; each field name may appear once`,
          { layout },
        );
      }
      fields.push(name);
      regex += `(?<${name}>.*?)`;
    }
  }
  if (fields.length === 0) {
    throw new AppError(
      'INPUT.BAD_LAYOUT',
      `header layout "${layout}" has no <Field>: write it like '<Date> <Time> <Level> <Component>: <Content>'`,
      { layout },
    );
  }
  let re: RegExp;
  try {
    re = new RegExp('^' + regex + '$', 's');
  } catch (err) {
    throw new AppError(
      'INPUT.BAD_LAYOUT',
      `header layout "${layout}" is not a valid pattern: ${(err as Error).message}`,
      { layout },
      err,
    );
  }
  const contentIndex = fields.indexOf('Content');
  return {
    source: layout,
    fields,
    contentIndex,
    match(line: string) {
      const m = re.exec(line);
      if (m === null) return undefined;
      const g = m.groups!;
      return fields.map((f) => g[f]);
    },
  };
}
