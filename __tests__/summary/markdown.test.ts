// src/summary/markdown.ts through a real GitHub-flavoured renderer (marked, GFM): database text in a table cell stays one
// cell of plain text, whatever it holds.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {marked} from 'marked'
import {escapeMarkdown} from '../../src/summary/markdown.ts'

const hostile = [
  '![x](https://evil.example/p.png)',
  '[click](javascript:alert(1))',
  '<img src=x onerror=alert(1)>',
  'a | b | c',
  '**bold** _em_ ~~strike~~ `code`',
  'https://evil.example and www.evil.example and @octocat and #12',
  'line\n| --- |\n| injected |',
  'spoof\u202Egnp.exe and zero\u200Bwidth\uFEFF',
  '::error title=X::pwned'
]

test('escapeMarkdown: in a GFM table cell, hostile text renders as one cell of text: no link, image, HTML, emphasis or extra cell', () => {
  for (const text of hostile) {
    const md = `| a | b |\n| --- | --- |\n| ${escapeMarkdown(text)} | end |\n`
    const html = marked.parse(md, {gfm: true, async: false}) as string
    assert.equal((html.match(/<td>/g) ?? []).length, 2, `${JSON.stringify(text)} → ${html}`)
    assert.doesNotMatch(html, /<(a|img|strong|em|del|code|script)\b/, `${JSON.stringify(text)} → ${html}`)
    assert.doesNotMatch(html, /[\u202A-\u202E\u200B\uFEFF]/, 'invisible characters survived')
    assert.match(html, /<td>end<\/td>/)
  }
})
