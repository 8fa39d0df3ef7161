// A small zip writer for tests (deflate, no extras): artifact zips made without the code under test.
import {crc32, deflateRawSync} from 'node:zlib'

export function zipArchive(entries: Array<[name: string, data: Buffer]>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, data] of entries) {
    const packed = deflateRawSync(data)
    const fileName = Buffer.from(name)
    const fields = (header: Buffer, at: number): void => {
      header.writeUInt16LE(8, at) // deflate
      header.writeUInt32LE(0, at + 2) // time/date
      header.writeUInt32LE(crc32(data), at + 6)
      header.writeUInt32LE(packed.length, at + 10)
      header.writeUInt32LE(data.length, at + 14)
      header.writeUInt16LE(fileName.length, at + 18)
    }
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    fields(local, 8)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    fields(central, 10)
    central.writeUInt32LE(offset, 42)
    locals.push(local, fileName, packed)
    centrals.push(central, fileName)
    offset += local.length + fileName.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
