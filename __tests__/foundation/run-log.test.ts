// test/harness/run-log.ts: a step's output rendered as a GitHub run's log shows it (what `npm run demo` prints).

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {renderRunLog, runLogRenderer} from '../../test/harness/run-log.ts'

const lines = (...l: string[]) => l.map(x => `${x}\n`).join('')

describe('run log rendering', () => {
  test('plain lines, and lines that only look like commands, are shown as they are', () => {
    const text = lines('Exported 2 documents', '  indented', 'Type: AWS::S3::Bucket', '::not-a-command::data', '::warning no closing colons', '::', '')
    assert.equal(renderRunLog(text), text)
  })

  test('::debug:: is hidden unless debug logging is on, then shown as Debug: with %0A decoded', () => {
    const text = lines('before', '::debug::Headers: {%0A  "a": 1%0A}', 'after')
    assert.equal(renderRunLog(text), lines('before', 'after'))
    assert.equal(renderRunLog(text, {debug: true}), lines('before', 'Debug: Headers: {', '  "a": 1', '}', 'after'))
  })

  test('::add-mask:: is hidden and its value (decoded, and URI-escaped) is *** from then on, on both streams', () => {
    const masks = new Set<string>()
    const out = renderRunLog(lines('token abc/def=1 before', '::add-mask::abc/def=1', '::add-mask::%25secret', 'token abc/def=1 in abc%2Fdef%3D1', '%secret', '::warning::leaked %25secret'), {masks})
    assert.equal(out, lines('token abc/def=1 before', 'token *** in ***', '***', 'Warning: leaked ***'))
    assert.equal(renderRunLog(lines('stderr: abc/def=1'), {masks}), lines('stderr: ***'))
    assert.equal(renderRunLog(lines('::add-mask::  ')), lines("Warning: Can't add secret mask for empty string in ##[add-mask] command."))
  })

  test('::group::NAME is a heading with its lines indented; ::endgroup:: is hidden', () => {
    const out = renderRunLog(lines('::group::Export outputs', 'Exporting x', '', '::notice::in a group', '::endgroup::', 'after', '::group::A%0AB', '::group::Next', 'line', '::endgroup::'))
    assert.equal(out, lines('▸ Export outputs', '  Exporting x', '', '  Notice: in a group', 'after', '▸ A', 'B', '▸ Next', '  line'))
  })

  test('::warning::, ::error::, ::notice:: show the message after Warning:/Error:/Notice:, their properties go to the annotation', () => {
    const text = lines(
      '::warning::plain',
      '::error title=S3 bucket%3A public,file=iac/storage/main.tf,line=3,col=1::Bucket is public%2C readable',
      '::notice file=a:b.tf,endLine=4::A notice',
      '  ::WARNING::upper case, leading blanks',
      '::error::'
    )
    assert.equal(renderRunLog(text), lines('Warning: plain', 'Error: Bucket is public%2C readable', 'Notice: A notice', 'Warning: upper case, leading blanks', 'Error: '))
  })

  test('%0A, %0D and %25 are decoded as the runner does (%25 last, so %250A stays %0A)', () => {
    assert.equal(renderRunLog(lines('::warning::one%0Atwo%0D%0Athree', '::notice::100%25 and %250A and %3A')), lines('Warning: one', 'two', 'three', 'Notice: 100% and %0A and %3A'))
  })

  test('::stop-commands:: shows what follows as text until ::<token>:: (both lines printed, as the runner prints them)', () => {
    const text = lines('::stop-commands::tok-1', '::warning::not a warning', '::add-mask::not-masked', '::group::not a group', '::TOK-1::', '::warning::a warning', 'not-masked')
    assert.equal(renderRunLog(text), lines('::stop-commands::tok-1', '::warning::not a warning', '::add-mask::not-masked', '::group::not a group', '::TOK-1::', 'Warning: a warning', 'not-masked'))
  })

  test('the older ##[name]data form is read anywhere in a line', () => {
    assert.equal(renderRunLog(lines('x ##[warning]old%3B form%5D', '##[group]Old group', 'in', '##[endgroup]', '##[unknown]kept')), lines('Warning: old; form]', '▸ Old group', '  in', '##[unknown]kept'))
  })

  test('set-output, save-state and echo are hidden; set-env and add-path are refused as the runner refuses them', () => {
    assert.equal(renderRunLog(lines('::set-output name=a::1', '::save-state name=b::2', '::echo::on', '::add-matcher::m.json', 'kept')), lines('kept'))
    assert.equal(renderRunLog(lines('::set-env name=A::1')), lines("Error: Unable to process command '::set-env name=A::1' successfully."))
  })

  test('streaming: lines split across chunks, CRLF and an unterminated last line render as the whole text does', () => {
    const text = '::group::G\r\nline one\r\n::debug::hidden\n::warn' + 'ing::split%0Aacross\n::endgroup::\nlast, no newline'
    const whole = renderRunLog(text)
    assert.equal(whole, lines('▸ G', '  line one', '  Warning: split', '  across', 'last, no newline'))
    const renderer = runLogRenderer()
    let streamed = ''
    for (let i = 0; i < text.length; i += 5) streamed += renderer.write(text.slice(i, i + 5))
    assert.equal(streamed + renderer.end(), whole)
  })
})
