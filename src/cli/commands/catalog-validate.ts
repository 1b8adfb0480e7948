import { loadCatalog } from '../../index.js';
import type { CommandSpec } from '../command.js';

export const catalogValidate: CommandSpec = {
  name: 'catalog validate',
  summary: 'validate a catalog file (JSON or YAML); every problem at file:line:column',
  description: 'Reads the file with loadCatalog(path), which validates it as Allot.initialize does.',
  arguments: [{ name: 'file', description: 'the catalog file: .json, .yaml or .yml' }],
  examples: ['allot catalog validate catalog.yaml', 'allot catalog validate catalog.json --json'],
  async run({ args }) {
    const file = args.file as string;
    const catalog = await loadCatalog(file);
    const counts = {
      features: catalog.features?.length ?? 0,
      plans: catalog.plans?.length ?? 0,
      addons: catalog.addons?.length ?? 0,
    };
    return {
      json: { file, valid: true, ...counts },
      text: `${file}: valid (${counts.features} features, ${counts.plans} plans, ${counts.addons} add-ons)\n`,
    };
  },
};
