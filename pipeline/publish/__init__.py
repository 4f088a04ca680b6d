"""Publishing: the artifacts the site reads and a browsable preview (`pipeline build`).

The entry point is `pipeline.publish.build.build(settings, out_dir)`.
"""
