/** The loading page's stylesheet, served as /$berth/loading.css. */
export const LOADING_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
.card { max-width: 34rem; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 16px rgb(0 0 0 / 15%); }
h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
.spinner { width: 28px; height: 28px; border: 3px solid #8884; border-top-color: #3b82f6; border-radius: 50%; animation: spin 0.9s linear infinite; }
.failed .spinner, .card.failed .spinner { display: none; }
@keyframes spin { to { transform: rotate(360deg); } }
ol { padding-left: 1.2rem; font-size: 0.92rem; }
li { margin: 0.2rem 0; }
li time { opacity: 0.6; margin-right: 0.5rem; font-variant-numeric: tabular-nums; }
.error { color: #dc2626; font-weight: 600; white-space: pre-wrap; }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
`;
