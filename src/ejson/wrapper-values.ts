// The $-wrapper values ($numberInt, $numberLong, $numberDouble, $date, $oid, $binary, $regularExpression,
// $timestamp, $dbPointer): their contents checked as the Go driver checks them (the first failing field gives the
// error, with Go's text) and written as BSON. A layer of the parser object (it extends ext-json-parser.ts and holds
// the BSON output), so that the decoder (ext-json-to-bson.ts) calls these as methods of the same object.

import * as bsonTypes from './bson-types.ts'
import {typeName} from './bson-types.ts'
import {Out} from './byte-buffers.ts'
import {ExtJsonParser, type Value} from './ext-json-parser.ts'
import {decodeBase64, decodeHex, sortRunes} from './go-encoding.ts'
import {goParseFloat, goParseInt64, parseSubtype} from './go-strconv.ts'
import {parseGoDateString} from './go-time.ts'
import {latin1, utf8Text} from './scanner.ts'

// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const {INT32_MAX, INT32_MIN, T_DOC, T_DOUBLE, T_INT32, T_INT64, T_STRING} = bsonTypes

export class WrapperValues extends ExtJsonParser {
  protected out = new Out()

  protected text(v: Value): string {
    return utf8Text.decode((v.sb as Uint8Array).subarray(v.s0, v.s1))
  }

  protected requireString(v: Value, wrapper: string): void {
    if (v.t !== T_STRING) throw this.fail(`${wrapper} value should be string, but instead is ${typeName(v.t)}`)
  }

  protected parseInt32(v: Value): number {
    if (v.t === T_INT32) return v.num
    this.requireString(v, '$numberInt')
    const n = goParseInt64(latin1(v.sb as Uint8Array, v.s0, v.s1))
    if (n === null) throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`)
    if (n < BigInt(INT32_MIN) || n > BigInt(INT32_MAX)) {
      throw this.fail(`$numberInt value should be int32 but instead is int64: ${n}`)
    }
    return Number(n)
  }

  protected parseInt64(v: Value, wrapper: string): [number, bigint | null] {
    if (v.t === T_INT64) return [v.num, v.big]
    this.requireString(v, wrapper)
    const n = goParseInt64(latin1(v.sb as Uint8Array, v.s0, v.s1))
    if (n === null) throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`)
    const num = Number(n)
    return [num, Number.isSafeInteger(num) ? null : n]
  }

  protected parseDouble(v: Value): number {
    if (v.t === T_DOUBLE) return v.num
    if (v.t !== T_STRING) throw this.fail(`$numberDouble value should be string, but instead is ${typeName(v.t)}`)
    const text = latin1(v.sb as Uint8Array, v.s0, v.s1)
    if (text === 'Infinity') return Infinity
    if (text === '-Infinity') return -Infinity
    if (text === 'NaN') return NaN
    const d = goParseFloat(text)
    if (d === null) throw this.fail(`strconv.ParseFloat: parsing "${this.text(v)}": invalid syntax or out of range`)
    return d
  }

  protected parseDateTime(v: Value): [number, bigint | null] {
    switch (v.t) {
      case T_INT32:
        return [v.num, null]
      case T_INT64:
        return [v.num, v.big]
      case T_STRING: {
        const ms = parseGoDateString(latin1(v.sb as Uint8Array, v.s0, v.s1))
        if (ms === null) throw this.fail(`invalid $date value string: ${this.text(v)}`)
        return [ms, null]
      }
      case T_DOC: {
        let found: [number, bigint | null] | null = null
        const keys = v.keys as string[]
        for (let i = 0; i < keys.length; i++) {
          const val = (v.vals as Value[])[i]
          if (keys[i] !== '$numberLong') throw this.fail(`invalid key in $date object: ${keys[i]}`)
          if (found !== null) throw this.fail('duplicate $numberLong key in $date')
          if (val.t !== T_STRING) throw this.fail(`$date $numberLong field should be string, but instead is ${typeName(val.t)}`)
          found = this.parseInt64(val, '$numberLong')
        }
        if (found === null) throw this.fail('missing $numberLong field in $date object')
        return found
      }
    }
    throw this.fail(`$date value should be string or object, but instead is ${typeName(v.t)}`)
  }

  protected writeObjectId(v: Value): void {
    this.requireString(v, '$oid')
    const bytes = decodeHex(latin1(v.sb as Uint8Array, v.s0, v.s1), 12)
    if (bytes === null) throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(v)}`)
    this.out.bytes(bytes, 0, 12)
  }

  /** Fields of a wrapper object, each allowed once; Go's error texts. */
  private fields(v: Value, wrapper: string, names: string[]): Value[] {
    if (v.t !== T_DOC) throw this.fail(`${wrapper} value should be object, but instead is ${typeName(v.t)}`)
    const found: Value[] = []
    const keys = v.keys as string[]
    for (let i = 0; i < keys.length; i++) {
      const slot = names.indexOf(keys[i])
      if (slot < 0) throw this.fail(`invalid key in ${wrapper} object: ${keys[i]}`)
      if (found[slot] !== undefined) throw this.fail(`duplicate ${keys[i]} key in ${wrapper}`)
      found[slot] = (v.vals as Value[])[i]
      this.checkField(wrapper, keys[i], found[slot])
    }
    names.forEach((name, slot) => {
      if (found[slot] === undefined) throw this.fail(`missing ${name} field in ${wrapper} object`)
    })
    return found
  }

  /** Per-field checks made while iterating, so the first failing field gives the error, as in Go. */
  private checkField(wrapper: string, key: string, val: Value): void {
    if (wrapper === '$timestamp') {
      this.uint32Field(key, val)
      return
    }
    if (val.t !== T_STRING) throw this.fail(`${wrapper} ${key} value should be string, but instead is ${typeName(val.t)}`)
    if (wrapper === '$binary' && key === 'base64' && decodeBase64(latin1(val.sb as Uint8Array, val.s0, val.s1)) === null) {
      throw this.fail(`invalid $binary base64 string: ${this.text(val)}`)
    }
    if (wrapper === '$binary' && key === 'subType' && parseSubtype(latin1(val.sb as Uint8Array, val.s0, val.s1)) === null) {
      throw this.fail(`invalid $binary subType string: ${JSON.stringify(this.text(val))}`)
    }
    if (wrapper === '$dbPointer' && key === '$id' && decodeHex(latin1(val.sb as Uint8Array, val.s0, val.s1), 12) === null) {
      throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(val)}`)
    }
  }

  private uint32Field(key: string, val: Value): number {
    const n = val.t === T_INT32 || (val.t === T_INT64 && val.big === null) ? val.num : val.t === T_INT64 ? -1 : NaN
    if (Number.isNaN(n)) throw this.fail(`$timestamp ${key} value should be uint32, but instead is ${typeName(val.t)}`)
    if (n < 0 || n > 0xffffffff) throw this.fail(`$timestamp ${key} number should be uint32: ${val.big ?? val.num}`)
    return n
  }

  protected writeBinary(v: Value): void {
    const [base64, subtypeText] = this.fields(v, '$binary', ['base64', 'subType'])
    const data = decodeBase64(latin1(base64.sb as Uint8Array, base64.s0, base64.s1)) as Uint8Array
    const subtype = parseSubtype(latin1(subtypeText.sb as Uint8Array, subtypeText.s0, subtypeText.s1)) as number
    const out = this.out
    if (subtype === 0x02) {
      // The old binary subtype carries its own inner length (bsoncore.AppendBinary).
      out.int32(data.length + 4)
      out.byte(subtype)
      out.int32(data.length)
    } else {
      out.int32(data.length)
      out.byte(subtype)
    }
    out.bytes(data, 0, data.length)
  }

  protected writeRegex(v: Value): void {
    const [pattern, options] = this.fields(v, '$regularExpression', ['pattern', 'options'])
    const pb = pattern.sb as Uint8Array
    const ob = options.sb as Uint8Array
    if (pb.subarray(pattern.s0, pattern.s1).includes(0) || ob.subarray(options.s0, options.s1).includes(0)) {
      throw this.fail('BSON regex values cannot contain null bytes')
    }
    const out = this.out
    out.bytes(pb, pattern.s0, pattern.s1)
    out.byte(0)
    const sorted = sortRunes(ob, options.s0, options.s1)
    out.bytes(sorted, 0, sorted.length)
    out.byte(0)
  }

  protected writeTimestamp(v: Value): void {
    const [t, i] = this.fields(v, '$timestamp', ['t', 'i'])
    this.out.ensure(8)
    this.out.view.setUint32(this.out.len, this.uint32Field('i', i), true)
    this.out.view.setUint32(this.out.len + 4, this.uint32Field('t', t), true)
    this.out.len += 8
  }

  protected writeDbPointer(v: Value): void {
    const [ref, id] = this.fields(v, '$dbPointer', ['$ref', '$id'])
    this.out.string(ref.sb as Uint8Array, ref.s0, ref.s1)
    this.out.bytes(decodeHex(latin1(id.sb as Uint8Array, id.s0, id.s1), 12) as Uint8Array, 0, 12)
  }
}
