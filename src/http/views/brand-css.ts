import type { Branding } from "./branding.ts";

/** `/assets/brand.css`: the brand colour as CSS custom properties (validated `#rrggbb` only). */
export function brandCSS(branding: Branding): string {
  const hex = /^#[0-9a-f]{6}$/.test(branding.primaryColor) ? branding.primaryColor : "#2457c5";
  const r = Number.parseInt(hex.slice(1, 3), 16);
  const g = Number.parseInt(hex.slice(3, 5), 16);
  const b = Number.parseInt(hex.slice(5, 7), 16);
  // WCAG relative luminance decides whether text on the brand colour is white or near-black.
  const channel = (value: number): number => {
    const s = value / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const onBrand = luminance > 0.4 ? "#111827" : "#ffffff";
  return `:root{--brand:${hex};--brand-rgb:${r},${g},${b};--on-brand:${onBrand};}\n`;
}
