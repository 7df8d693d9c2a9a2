import type { Page } from 'playwright-core';

/** One text element whose colour does not stand out enough from what is behind it. */
export interface ContrastFailure {
  text: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
}

/**
 * WCAG 2.x contrast of every visible text element on the page: computed `color` against the first
 * opaque background up the ancestor chain (translucent ones blended in), placeholders included.
 * Disabled controls are exempt (WCAG 1.4.3), and so is text visually hidden for screen readers.
 * Not covered: text in pseudo-elements and over background images.
 */
export function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const n = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n[3] ?? 1];
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const backgroundOf = (el: Element | null): Rgba => {
      const layers: Rgba[] = [];
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      // The canvas behind everything is white.
      return layers.reduceRight<Rgba>((under, top) => over(top, under), [255, 255, 255, 1]);
    };
    const luminance = ([r, g, b]: Rgba) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const hasOwnText = (el: Element) =>
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()) ||
      ((el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && el.value !== '');
    const failures: ContrastFailure[] = [];
    const check = (el: Element, style: CSSStyleDeclaration, text: string) => {
      const bg = backgroundOf(el);
      const fg = over(parse(style.color), bg);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const required = large ? 3 : 4.5;
      const r = ratio(fg, bg);
      if (r < required)
        failures.push({
          text: text.trim().slice(0, 60),
          ratio: Math.round(r * 100) / 100,
          required,
          color: style.color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`,
        });
    };
    // Placeholders are text too (WCAG 1.4.3 covers them), and browsers default them to a faint grey.
    for (const el of document.body.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[placeholder], textarea[placeholder]')) {
      if (el.value !== '' || !el.placeholder.trim() || el.disabled || el.getBoundingClientRect().width <= 1) continue;
      check(el, getComputedStyle(el, '::placeholder'), `placeholder: ${el.placeholder}`);
    }
    for (const el of document.body.querySelectorAll('*')) {
      if (!hasOwnText(el) || el.closest(':disabled, [aria-hidden="true"], .visually-hidden')) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility !== 'visible' || box.width <= 1 || box.height <= 1 || Number(style.opacity) === 0) continue;
      check(el, style, el.textContent || (el as HTMLInputElement).value || '');
    }
    return failures;
  });
}

/** Form controls with no accessible name: no label, aria-label, aria-labelledby or title. */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => {
        const labelled = el
          .getAttribute('aria-labelledby')
          ?.split(/\s+/)
          .some((id) => document.getElementById(id)?.textContent?.trim());
        const label = [...(el.labels ?? [])].some((l) => l.textContent?.trim());
        return !(label || labelled || el.getAttribute('aria-label')?.trim() || el.title.trim());
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}
