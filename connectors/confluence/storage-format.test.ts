import { describe, expect, it } from 'vitest';
import { storageToHtml } from './storage-format.js';

describe('storageToHtml', () => {
  it('keeps headings and text, drops macro parameters and generated macros', () => {
    const storage = [
      '<h1>Install</h1><p>Run the <strong>installer</strong>&nbsp;now.</p>',
      '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>',
      '<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Heads up</ac:parameter><ac:parameter ac:name="icon">true</ac:parameter><ac:rich-text-body><p>Back up first.</p></ac:rich-text-body></ac:structured-macro>',
      '<h2>Script</h2><ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[npm install <x> && go]]></ac:plain-text-body></ac:structured-macro>',
    ].join('');
    expect(storageToHtml(storage)).toBe(
      '<h1>Install</h1><p>Run the <strong>installer</strong>&nbsp;now.</p>' +
        '<div><p><strong>Heads up</strong></p><div><p>Back up first.</p></div></div>' +
        '<h2>Script</h2><div><pre>npm install &lt;x&gt; &amp;&amp; go</pre></div>',
    );
  });

  it('turns links into their visible text and drops images and emoticons', () => {
    const storage =
      '<p>See <ac:link><ri:page ri:content-title="Admin &amp; Ops" /></ac:link>, ' +
      '<ac:link><ri:attachment ri:filename="guide.pdf"/><ac:plain-text-link-body><![CDATA[the guide]]></ac:plain-text-link-body></ac:link> ' +
      'and <a href="https://example.invalid">the site</a>.<ac:emoticon ac:name="smile"/></p>' +
      '<ac:image ac:alt="x"><ri:attachment ri:filename="shot.png"/></ac:image>';
    expect(storageToHtml(storage)).toBe(
      '<p>See Admin &amp; Ops, the guide and <a href="https://example.invalid">the site</a>.</p>',
    );
  });

  it('closes XHTML self-closing tags so an HTML parser does not swallow what follows', () => {
    expect(storageToHtml('<p/><p>Due <time datetime="2024-05-01" /> ok<br/></p>')).toBe(
      '<p></p><p>Due <time>2024-05-01</time> ok<br></p>',
    );
  });

  it('keeps task bodies and layouts as blocks, without task ids or statuses', () => {
    const storage =
      '<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><h3>Left</h3></ac:layout-cell></ac:layout-section></ac:layout>' +
      '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Call Bob</ac:task-body></ac:task></ac:task-list>';
    expect(storageToHtml(storage)).toBe(
      '<div><div><div><h3>Left</h3></div></div></div><ul><li><span>Call Bob</span></li></ul>',
    );
  });

  it('survives broken markup: stray "<", stray end tags, unclosed elements, unknown macros', () => {
    const storage =
      '<p>1 < 2</p></div><ac:structured-macro ac:name="custom-thing"><ac:parameter ac:name="x">y</ac:parameter>' +
      '<ac:rich-text-body><p>kept</p></ac:rich-text-body></ac:structured-macro><p>unclosed <em>text';
    expect(storageToHtml(storage)).toBe(
      '<p>1 &lt; 2</p><div><div><p>kept</p></div></div><p>unclosed <em>text</em></p>',
    );
  });
});
