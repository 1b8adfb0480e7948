// Every command of the command line, in the order `allot --help` lists them. A command is a spec
// (see ../command.ts): adding one is a module exporting it and a line here.
import type { CommandSpec } from '../command.js';
import { catalogValidate } from './catalog-validate.js';
import { check } from './check.js';
import { customer, customers } from './customers.js';
import { events } from './events.js';
import { explain } from './explain.js';
import { ledger } from './ledger.js';
import { migrate } from './migrate.js';
import { exportCommand, importCommand } from './transfer.js';

export const commands: readonly CommandSpec[] = [
  customers,
  customer,
  check,
  explain,
  ledger,
  events,
  migrate,
  exportCommand,
  importCommand,
  catalogValidate,
];
