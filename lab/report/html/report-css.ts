/** The page's own styles: light, system fonts only (nothing to fetch), charts a slide wide, prints on A4. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6474; --line: #d9dee7; --soft: #f4f6f9;
  --good: #0b7a4b; --bad: #b3261e; --warn: #9a5b00; }
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 40px; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 26px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; display: inline; }
.meta { color: var(--muted); margin: 0 0 14px; }
.meta b { color: var(--ink); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(100px, 1fr)); gap: 10px; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.card .v { font-size: 21px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: 12px; }
.card.bad .v { color: var(--bad); }
.card.good .v { color: var(--good); }
.ledger { margin: 12px 0 0; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px;
  font-variant-numeric: tabular-nums; }
.ledger .eq { font-size: 15px; }
.ledger .ok { color: var(--good); font-weight: 600; }
.ledger .broken { color: var(--bad); font-weight: 600; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--soft); }
.scroll { overflow-x: auto; }
.figures { width: 100%; font-size: 12.5px; }
.figures th, .figures td { padding: 3px 6px; }
.figures thead th { font-size: 12px; font-weight: 600; vertical-align: bottom; }
.figures td:first-child { font-weight: 600; white-space: nowrap; }
.pass { color: var(--good); } .fail { color: var(--bad); }
.chart { margin: 18px 0 8px; break-inside: avoid; page-break-inside: avoid; }
.chart figcaption { margin-bottom: 4px; }
.chart figcaption .unit { color: var(--muted); margin-left: 8px; }
.plot { width: 100%; min-height: 250px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; margin-top: -2px; }
.swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 6px; }
.heat td { text-align: left; vertical-align: top; min-width: 120px; padding: 6px 8px; border: 2px solid #fff;
  font-size: 12px; line-height: 1.35; }
.heat th { background: none; border: none; font-weight: 600; padding: 4px 8px; text-align: center; }
.heat tbody th { text-align: right; }
.heat .big { font-size: 16px; font-weight: 650; }
.heat .verdict { font-weight: 600; }
.heat td.missing { background: repeating-linear-gradient(45deg, #fafafa, #fafafa 6px, #eee 6px, #eee 12px);
  color: var(--muted); }
.scale { display: flex; align-items: center; gap: 8px; color: var(--muted); margin: 8px 0; }
.scale .bar { width: 240px; height: 12px; border: 1px solid var(--line); }
.note { color: var(--muted); font-size: 12px; }
details { margin-top: 12px; }
summary { cursor: pointer; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 12px; }
  .chart, .cards, .ledger, table { break-inside: avoid; }
  summary { display: none; }
  details > * { display: block; }
}
`;
