/**
 * The widget's CSS, applied inside its shadow root. `.root { all: initial }` cuts off whatever the host page lets
 * inherit (fonts, colours, `* { all: unset }` on the host element); the page's own selectors never reach in.
 * The accent colour arrives as the custom property `--ad-accent`, set through the CSSOM, never as CSS text.
 */
export const widgetCss = `
.root { all: initial; --ad-accent: #1d4ed8; --ad-on-accent: #fff; --ad-bg: #fff; --ad-fg: #111827;
  --ad-muted: #6b7280; --ad-border: #e5e7eb; --ad-soft: #f3f4f6;
  position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; display: block;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ad-fg); }
.root.pos-left { right: auto; left: 20px; }
.root.inline { position: absolute; z-index: auto; }
.root *, .root *::before, .root *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; cursor: pointer; }
button:disabled { cursor: default; opacity: .55; }
:focus-visible { outline: 3px solid var(--ad-accent); outline-offset: 2px; }
.launcher { display: flex; align-items: center; justify-content: center; width: 56px; height: 56px;
  border: 0; border-radius: 50%; background: var(--ad-accent); color: var(--ad-on-accent);
  box-shadow: 0 6px 20px rgba(0,0,0,.25); margin-left: auto; }
.pos-left .launcher { margin-left: 0; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.panel { display: flex; flex-direction: column; width: min(380px, calc(100vw - 40px));
  height: min(560px, calc(100vh - 110px)); margin-bottom: 12px; background: var(--ad-bg);
  border: 1px solid var(--ad-border); border-radius: 14px; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.22); }
.header { display: flex; align-items: center; gap: 10px; padding: 12px 14px; background: var(--ad-accent);
  color: var(--ad-on-accent); }
.logo { width: 28px; height: 28px; border-radius: 6px; object-fit: contain; background: #fff; }
.title { flex: 1; margin: 0; font-size: 16px; font-weight: 600; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.close { border: 0; background: transparent; color: inherit; font-size: 22px; line-height: 1; padding: 2px 8px;
  border-radius: 6px; }
.banner { padding: 8px 14px; background: #fef3c7; color: #78350f; font-weight: 600; border-bottom: 1px solid #fde68a; }
.banner.joined { background: #dcfce7; color: #14532d; border-color: #bbf7d0; }
.log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; }
.greeting { margin: 0; color: var(--ad-muted); }
.msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; background: var(--ad-soft); align-self: flex-start;
  overflow-wrap: anywhere; }
.msg-visitor { align-self: flex-end; background: var(--ad-accent); color: var(--ad-on-accent); }
.msg-agent { border: 1px solid #86efac; background: #f0fdf4; }
.msg-system { align-self: center; background: transparent; color: var(--ad-muted); font-style: italic; }
.notice { margin: 4px 0 0; align-self: center; color: var(--ad-muted); font-size: 13px; }
.msg-text { margin: 0; white-space: pre-wrap; }
.sources { margin-top: 6px; font-size: 12px; color: var(--ad-muted); }
.sources ul { margin: 2px 0 0; padding-left: 18px; }
.source-link { color: var(--ad-accent); text-decoration: underline; }
.typing { padding: 0 14px 6px; color: var(--ad-muted); font-style: italic; }
.csat { padding: 10px 14px; border-top: 1px solid var(--ad-border); text-align: center; }
.csat p { margin: 0 0 6px; }
.stars { display: inline-flex; gap: 4px; }
.star { border: 0; background: transparent; font-size: 26px; line-height: 1; color: #d1d5db; padding: 0 2px; }
.star.on { color: #f59e0b; }
.new { margin-top: 8px; border: 1px solid var(--ad-border); background: var(--ad-bg); color: var(--ad-fg);
  padding: 6px 12px; border-radius: 8px; }
.error { margin: 0; padding: 6px 14px; color: #991b1b; background: #fef2f2; }
.composer { display: flex; gap: 8px; padding: 10px 14px 6px; border-top: 1px solid var(--ad-border); }
.input { flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 8px 10px; font: inherit; color: inherit;
  background: var(--ad-bg); border: 1px solid #d1d5db; border-radius: 8px; }
.send { border: 0; border-radius: 8px; padding: 0 14px; background: var(--ad-accent); color: var(--ad-on-accent);
  font-weight: 600; }
.human { display: block; width: calc(100% - 28px); margin: 0 14px 12px; padding: 7px; border-radius: 8px;
  border: 1px solid var(--ad-accent); background: var(--ad-bg); color: var(--ad-accent); font-weight: 600; }
`;
