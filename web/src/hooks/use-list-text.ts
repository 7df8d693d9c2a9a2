import { useEffect, useState } from 'preact/hooks';

/**
 * The text of a field that edits a list (condition values, target ids). Parsing on every keystroke
 * would eat a trailing ", " while typing, and parsing only on change left the field controlled by
 * stale values, so any re-render (the 4 s live poll) wiped what was being typed. The text is kept
 * here instead, and replaced only when the list changes to something the text does not spell
 * (discard, reload, another operator). `parse` must be a function of `mode` and the text alone.
 */
export function useListText<T>(
  items: T[],
  format: (items: T[]) => string,
  parse: (text: string) => T[],
  mode: unknown = null,
): [string, (text: string) => T[]] {
  const [text, setText] = useState(() => format(items));
  const key = JSON.stringify(items);
  useEffect(() => {
    if (JSON.stringify(parse(text)) !== key) setText(format(items));
  }, [key, mode]);
  const update = (next: string) => {
    setText(next);
    return parse(next);
  };
  return [text, update];
}
