import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatasetBucket } from '../../lib';
import { DatasetSeed } from '../../lib/dataset/dataset-seed';
import { inspectImageFolder } from '../../lib/private/image-folder';
import { testStack } from '../helpers';

const MINI = path.join(__dirname, '..', 'fixtures', 'mini-dataset');

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('inspectImageFolder', () => {
  test('lists the classes in label order with their image counts, ignoring hidden files', () => {
    const root = tree({ 'tulips/a.png': 'x', 'roses/b.JPG': 'x', 'roses/c.jpeg': 'x', 'roses/.DS_Store': 'x', '.git/config': 'x' });
    expect(inspectImageFolder(root, 'seed')).toEqual([{ name: 'roses', images: 2 }, { name: 'tulips', images: 1 }]);
  });

  test('reports every layout problem at once', () => {
    const root = tree({ 'notes.txt': 'x', 'roses/a.jpg': 'x', 'roses/readme.md': 'x', 'empty/.keep': '' });
    expect(() => inspectImageFolder(root, 'seed')).toThrow(new RegExp([
      `class 'empty' has no images`,
      `'notes.txt' is a file at the top level; images go in one folder per class, like roses/notes.txt`,
      `class 'roses' holds 1 entries that are not .jpg, .jpeg or .png images \\(readme.md\\)`,
    ].join('[\\s\\S]*')));
  });

  test('needs at least two classes', () => {
    expect(() => inspectImageFolder(tree({ 'roses/a.jpg': 'x' }), 'seed')).toThrow('found 1 class folder(s); the algorithm needs at least two');
  });

  test('names a folder that does not exist', () => {
    expect(() => inspectImageFolder('/no/such/folder', 'seedDatasetFrom'))
      .toThrow("seedDatasetFrom '/no/such/folder' is not a readable folder; give a folder laid out as <class>/<image>.jpg");
  });
});

describe('DatasetSeed', () => {
  test('uploads the folder to the training prefix, never pruning and never deleting', () => {
    const stack = testStack();
    const dataset = new DatasetBucket(stack, 'Dataset', { prefix: 'flowers' });
    const seed = new DatasetSeed(stack, 'Seed', { dataset, sourceFolder: MINI });
    expect(seed.classes).toEqual([{ name: 'roses', images: 2 }, { name: 'tulips', images: 1 }]);
    Template.fromStack(stack).hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: stack.resolve(dataset.bucket.bucketName),
      DestinationBucketKeyPrefix: 'flowers/training/',
      Prune: false,
      RetainOnDelete: true,
      SourceBucketNames: Match.anyValue(),
    });
  });
});
