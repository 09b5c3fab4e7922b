import { useEffect, useState } from 'react';

/** The element the preview widget mounts in; one per page, so its selector can be a plain id. */
const containerId = 'airdesk-widget-preview';

interface WidgetPreviewProps {
  /** The theme's data-* attributes, in the widget's names. */
  attributes: [string, string][];
}

/**
 * The real widget (the console's own /widget.js) in preview mode, inside a box on the page: it shows a sample
 * conversation and makes no API calls. After each change a new preview script replaces the widget, a moment after
 * the typing stops, so the preview is exactly what the snippet will show.
 */
export function WidgetPreview({ attributes }: WidgetPreviewProps) {
  const [failed, setFailed] = useState(false);
  const signature = JSON.stringify(attributes);

  useEffect(() => {
    let script: HTMLScriptElement | null = null;
    const timer = setTimeout(() => {
      script = document.createElement('script');
      script.src = '/widget.js';
      script.async = true;
      script.dataset.preview = 'true';
      script.dataset.container = `#${containerId}`;
      for (const [name, value] of JSON.parse(signature) as [string, string][])
        script.setAttribute(name, value);
      script.addEventListener('error', () => setFailed(true));
      script.addEventListener('load', () => setFailed(false));
      document.body.appendChild(script);
    }, 250);
    return () => {
      clearTimeout(timer);
      script?.remove();
    };
  }, [signature]);

  // The widget lives outside React's tree: empty the box when the page goes away.
  useEffect(() => () => document.getElementById(containerId)?.replaceChildren(), []);

  return (
    <div className="preview-frame">
      {failed && (
        <p className="form-error" role="alert">
          The preview needs the widget script, but this server does not serve /widget.js. Build it with{' '}
          <code>npm run build</code> and restart the server.
        </p>
      )}
      <div id={containerId} className="preview-stage" role="region" aria-label="Widget preview" />
    </div>
  );
}
